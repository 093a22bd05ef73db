package harness

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/wire"
)

// A scenario run against a real endpoint must not collide with anything already there, nor with
// another run: every identity that reaches the target is prefixed with a tag unique to the run and
// the scenario, e.g. "scimsim-1a2b3c4d-3-alice@contoso.com". The tag goes in front of the value, so
// an email address stays an email address, and removing the tag gives the catalog's value back,
// which is how the report is compared with expectations written for the simulator (untag).
//
// Which attributes are identities is decided on both sides of Entra's default mappings, so that a
// tagged source user still maps exactly onto a tagged seed (a no-change run stays a no-change run):
//
//	source user       userPrincipalName, mail, mailNickname, objectId
//	source group      displayName, objectId
//	SCIM User seed    userName, emails[].value, externalId
//	SCIM Group seed   displayName, externalId, members[].value (mapped to the endpoint's ids)
//
// A catalog of one's own that maps some other source attribute to userName or externalId is run
// with that attribute untagged; its creates are still deleted (by the id the endpoint answered).

// sourceUserIdentities are the source user attributes that carry an identity to the target, and
// sourceUserReferences those that hold another user's objectId (the manager).
var (
	sourceUserIdentities = []string{"objectId", "userPrincipalName", "mail", "mailNickname"}
	sourceUserReferences = []string{"manager"}
)

// TagSource returns a copy of src in which every identity (see above) starts with tag, and every
// reference to a tagged objectId (group members, assignment principals) follows. src is not changed:
// the catalog's sources are shared by every scenario.
func TagSource(src *engine.Source, tag string) *engine.Source {
	out := &engine.Source{Pos: src.Pos, Kind: src.Kind}
	for _, u := range src.Users {
		c := &engine.User{Pos: u.Pos, ObjectID: tag + u.ObjectID, Attrs: maps.Clone(u.Attrs)}
		for _, k := range slices.Concat(sourceUserIdentities, sourceUserReferences) {
			if s, ok := c.Attrs[k].(string); ok && s != "" {
				c.Attrs[k] = tag + s
			}
		}
		out.Users = append(out.Users, c)
	}
	for _, g := range src.Groups {
		c := &engine.Group{Pos: g.Pos, ObjectID: tag + g.ObjectID, DisplayName: tag + g.DisplayName, Attrs: maps.Clone(g.Attrs)}
		c.Attrs["objectId"], c.Attrs["displayName"] = c.ObjectID, c.DisplayName
		for _, m := range g.Members {
			c.Members = append(c.Members, tag+m)
		}
		out.Groups = append(out.Groups, c)
	}
	for _, a := range src.Assignments {
		a.Principal = tag + a.Principal
		out.Assignments = append(out.Assignments, a)
	}
	return out
}

// TagSubject returns the subject to search for in TagSource(src, tag): a query that names a user or
// a group by one of its tagged identities (an email address, a UPN, an objectId, a group name) is
// tagged the same way; a query by first, last or display name is left as it is.
func TagSubject(src *engine.Source, s scenarios.Subject, tag string) scenarios.Subject {
	// The portal's search matches mailNickname never, and objectId, UPN and mail as identities
	// (engine.Source.FindUser); a query equal to a tagged attribute it does not search is a name.
	userQuery := func(q string) string {
		for _, u := range src.Users {
			for _, k := range []string{"objectId", "userPrincipalName", "mail"} {
				if v, ok := u.Attrs[k].(string); ok && v != "" && strings.EqualFold(v, strings.TrimSpace(q)) {
					return tag + strings.TrimSpace(q)
				}
			}
		}
		return q
	}
	out := scenarios.Subject{}
	if s.User != "" {
		out.User = userQuery(s.User)
	}
	if s.Group != "" {
		out.Group = s.Group
		for _, g := range src.Groups {
			if strings.EqualFold(g.DisplayName, s.Group) || g.ObjectID == s.Group {
				out.Group = tag + s.Group
				break
			}
		}
	}
	for _, m := range s.Members {
		out.Members = append(out.Members, userQuery(m))
	}
	return out
}

// tagSeed returns the SCIM resource to POST for a scenario's target.users or target.groups entry:
// identities tagged, the catalog's id dropped (the endpoint assigns ids), group members translated
// from the catalog's ids to the endpoint's through ids, and the schemas a SCIM create needs (RFC 7644
// §3.3) added when the catalog left them out. The entry itself is not changed.
func tagSeed(resource string, seed map[string]any, tag string, ids map[string]string) map[string]any {
	out := wire.Clone(seed)
	delete(out, "id")
	delete(out, "meta")
	tagString := func(m map[string]any, key string) {
		if s, ok := m[key].(string); ok && s != "" {
			m[key] = tag + s
		}
	}
	tagString(out, "externalId")
	switch resource {
	case "Users":
		tagString(out, "userName")
		if emails, ok := out["emails"].([]any); ok {
			for _, e := range emails {
				if em, ok := e.(map[string]any); ok {
					tagString(em, "value")
				}
			}
		}
		if _, ok := out["schemas"]; !ok {
			schemas := []any{wire.UserSchema}
			if _, ok := out[wire.EnterpriseSchema]; ok {
				schemas = append(schemas, wire.EnterpriseSchema)
			}
			out["schemas"] = schemas
		}
	case "Groups":
		tagString(out, "displayName")
		if members, ok := out["members"].([]any); ok {
			for _, m := range members {
				if mm, ok := m.(map[string]any); ok {
					if v, ok := mm["value"].(string); ok {
						mm["value"] = ids[v]
					}
				}
			}
		}
		if _, ok := out["schemas"]; !ok {
			out["schemas"] = []any{wire.GroupSchema}
		}
	}
	return out
}

// untag removes every occurrence of tag from a report's JSON, case-insensitively (an endpoint may
// lower-case a userName), so that the outcome reads as if the catalog's own names had been used.
// The tag holds only letters, digits, '.', '_' and '-', which JSON never escapes.
func untag(raw []byte, tag string) []byte {
	if tag == "" {
		return raw
	}
	return regexp.MustCompile(`(?i)`+regexp.QuoteMeta(tag)).ReplaceAll(raw, nil)
}

// hasTag reports whether name starts with tag, case-insensitively.
func hasTag(name, tag string) bool {
	return tag != "" && len(name) >= len(tag) && strings.EqualFold(name[:len(tag)], tag)
}
