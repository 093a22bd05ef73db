#!/usr/bin/env bash
# Sends a SCIM endpoint on loopback the requests Microsoft Entra ID's provisioning service sends, by
# hand with curl, and writes what came back as Markdown: one table (behaviour, request, status,
# Content-Type, answer, and what a GET afterwards shows stored), then every exchange in full.
#
#   bench/peers/entra-probe.sh BASE_URL TOKEN [LABEL] > probe.md
#
# The requests are the ones Microsoft documents ("Develop and plan provisioning for a SCIM endpoint",
# section "User operations" and "Group operations"; "Known issues and resolutions with SCIM 2.0
# protocol compliance" for the default dialect's PATCH shapes and their aadOptscim062020 forms).
# It creates users and groups named probe-<run>-* and leaves them (the peers keep them in memory).
# Needs curl and jq. Only ever talks to 127.0.0.1, localhost or [::1].
set -uo pipefail

BASE="${1:?usage: entra-probe.sh BASE_URL TOKEN [LABEL]}"
TOKEN="${2:?usage: entra-probe.sh BASE_URL TOKEN [LABEL]}"
LABEL="${3:-$BASE}"
BASE="${BASE%/}"
# shellcheck source=bench/peers/loopback.sh
. "$(dirname "${BASH_SOURCE[0]}")/loopback.sh"
require_loopback "$BASE"

CORE_USER=urn:ietf:params:scim:schemas:core:2.0:User
ENT=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
CORE_GROUP=urn:ietf:params:scim:schemas:core:2.0:Group
ADSCIM=http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group
PATCHOP=urn:ietf:params:scim:api:messages:2.0:PatchOp
RUN="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ROWS="$TMP/rows.md"
LOG="$TMP/log.md"
: >"$ROWS"
: >"$LOG"

guid() { cat /proc/sys/kernel/random/uuid; }
uri() { jq -rn --arg v "$1" '$v|@uri'; }
trim() { tr -d '\r' | tr '\n' ' ' | sed -E 's/  +/ /g' | cut -c1-"${1:-160}"; }
cell() { sed -e 's/|/\\|/g' -e 's/`/'"'"'/g'; } # a value that can stand in a Markdown table cell

# send ID BEHAVIOUR METHOD PATH [BODY] [AUTH]: one exchange. AUTH: "good" (default), "wrong", "none".
# Sets ST (status), CT (Content-Type), BODY_FILE, and resets the read-back columns.
send() {
  ID="$1" WHAT="$2" METHOD="$3" REQPATH="$4" REQBODY="${5:-}"
  local auth="${6:-good}"
  local args=(-s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' -X "$METHOD")
  case "$auth" in
    good) args+=(-H "Authorization: Bearer $TOKEN") ;;
    wrong) args+=(-H "Authorization: Bearer probe-wrong-token-$RUN") ;;
  esac
  [ -n "$REQBODY" ] && args+=(-H 'Content-Type: application/scim+json' --data-binary "$REQBODY")
  ST="$(curl "${args[@]}" "$BASE$REQPATH")" || ST=000
  CT="$(grep -i '^content-type:' "$TMP/head" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //')"
  [ -s "$TMP/body" ] || CT="${CT:-none}; empty body"
  BODY_FILE="$TMP/body"
  STORED="" BACK=""
  {
    printf '\n#### %s %s\n\n```\n> %s %s%s\n' "$ID" "$WHAT" "$METHOD" "$REQPATH" "$([ "$auth" = good ] || echo "   (token: $auth)")"
    [ -n "$REQBODY" ] && printf '> %s\n' "$REQBODY"
    printf '< %s %s\n' "$ST" "$CT"
    grep -i '^www-authenticate:' "$TMP/head" | tr -d '\r' | sed 's/^/< /'
    [ -s "$TMP/body" ] && printf '< %s\n' "$(trim 1200 <"$TMP/body")"
    printf '```\n'
  } >>"$LOG"
}

# answer: a short form of the last answer for the table: the SCIM error's scimType and detail, or the
# start of the body.
answer() {
  if jq -e 'type == "object" and (.schemas // [] | index("urn:ietf:params:scim:api:messages:2.0:Error"))' "$BODY_FILE" >/dev/null 2>&1; then
    jq -r '[(.scimType // empty), (.detail // empty)] | join(": ")' "$BODY_FILE" | trim 140
  elif [ -s "$BODY_FILE" ]; then
    trim 100 <"$BODY_FILE"
  fi
}

# back PATH JQ: GET PATH and show JQ applied to it; JQ yields a short string and sets the "stored?"
# verdict when it ends in a boolean check: JQ is "VALUE_EXPR" and OK is a jq boolean expression.
back() {
  local path="$1" expr="$2" ok="${3:-}" st
  st="$(curl -s -o "$TMP/back" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")" || st=000
  BACK="$(jq -c "$expr" "$TMP/back" 2>/dev/null | trim 140)"
  [ "$st" = 200 ] || BACK="GET $st${BACK:+ $BACK}"
  if [ -n "$ok" ]; then
    if [ "$st" = 200 ] && jq -e "$ok" "$TMP/back" >/dev/null 2>&1; then STORED=yes; else STORED=no; fi
  fi
  printf '```\n> GET %s\n< %s %s\n```\n' "$path" "$st" "$(trim 1200 <"$TMP/back")" >>"$LOG"
}

row() {
  local req="$METHOD $REQPATH"
  [ -n "$REQBODY" ] && req="$req $(printf '%s' "$REQBODY" | trim 150)"
  printf '| %s | %s | `%s` | %s | %s | %s | %s |\n' "$ID" "$(cell <<<"$WHAT")" "$(cell <<<"$req")" "$ST" "$(cell <<<"$CT")" \
    "$(answer | cell)" "$(printf '%s%s' "${STORED:+$STORED: }" "$BACK" | cell)" >>"$ROWS"
}

idof() { jq -r '.id // empty' "$BODY_FILE" 2>/dev/null; }
ok2xx() { [ "${ST:0:1}" = 2 ]; }

user_full() { # the create body of Entra's default mappings, every optional part included
  jq -cn --arg u "$1" --arg x "$2" --arg core "$CORE_USER" --arg ent "$ENT" '{
    schemas: [$core, $ent], externalId: $x, userName: $u, active: true,
    displayName: "Probe Full", title: "Engineer", preferredLanguage: "en-US",
    name: {formatted: "Probe Full", givenName: "Probe", familyName: "Full"},
    emails: [{type: "work", primary: true, value: $u}],
    phoneNumbers: [{type: "work", value: "+1 555 0100"}, {type: "mobile", value: "+1 555 0101"}, {type: "fax", value: "+1 555 0102"}],
    addresses: [{type: "work", formatted: "1 Main St, Springfield, IL 62701, US", streetAddress: "1 Main St",
                 locality: "Springfield", region: "IL", postalCode: "62701", country: "US", primary: true}],
    ($ent): {employeeNumber: "12345", department: "Sales"},
    meta: {resourceType: "User"}}'
}
user_min() { # the same without the optional parts: what every Entra create carries
  jq -cn --arg u "$1" --arg x "$2" --arg core "$CORE_USER" --arg ent "$ENT" '{
    schemas: [$core, $ent], externalId: $x, userName: $u, active: true,
    name: {formatted: "Probe Min", givenName: "Probe", familyName: "Min"},
    emails: [{type: "work", primary: true, value: $u}], meta: {resourceType: "User"}}'
}
user_bare() { jq -cn --arg u "$1" --arg core "$CORE_USER" '{schemas: [$core], userName: $u}'; }
patch() { jq -cn --arg s "$PATCHOP" --argjson ops "$1" '{schemas: [$s], Operations: $ops}'; }

# ---- test connection
G="$(guid)"
F="/Users?filter=$(uri "userName eq \"$G\"")"
send T1 "test connection: filter on a random GUID" GET "$F"; row
send T2 "... with a wrong token" GET "$F" "" wrong; row
send T3 "... with no token" GET "$F" "" none; row

# ---- create
UA="probe-$RUN-a@example.com"
send C1 "create: full Entra body" POST /Users "$(user_full "$UA" "probe-$RUN-a")"
A="$(idof)"
if [ -n "$A" ]; then
  back "/Users/$A" "{title, preferredLanguage, displayName, name, emails: [.emails[]?.type], phones: [.phoneNumbers[]?.type], address: .addresses[0]?.locality, ent: .[\"$ENT\"]}" \
    ".title == \"Engineer\" and .preferredLanguage == \"en-US\" and (.phoneNumbers | length) == 3 and .addresses[0].locality == \"Springfield\" and .[\"$ENT\"].department == \"Sales\" and .[\"$ENT\"].employeeNumber == \"12345\""
fi
row
UM="probe-$RUN-m@example.com"
send C2 "create: Entra body without the optional parts" POST /Users "$(user_min "$UM" "probe-$RUN-m")"
M="$(idof)"; row
[ -n "$A" ] || { A="$M" UA="$UM"; }
base="$(user_min "probe-$RUN-x@example.com" "probe-$RUN-x")"
n=0
EXTRA=()
for part in \
  'with roles: [] as in the tutorial|.roles = []' \
  'core schema only|.schemas = ["'"$CORE_USER"'"]' \
  'without meta|del(.meta)' \
  'with title, preferredLanguage, displayName|.title = "Engineer" | .preferredLanguage = "en-US" | .displayName = "Probe X"' \
  'with phoneNumbers work/mobile/fax|.phoneNumbers = [{type: "work", value: "+1 555 0100"}, {type: "mobile", value: "+1 555 0101"}, {type: "fax", value: "+1 555 0102"}]' \
  'with a work address|.addresses = [{type: "work", formatted: "1 Main St", streetAddress: "1 Main St", locality: "Springfield", region: "IL", postalCode: "62701", country: "US", primary: true}]' \
  'with enterprise employeeNumber and department|.["'"$ENT"'"] = {employeeNumber: "12345", department: "Sales"}'; do
  n=$((n + 1))
  body="$(jq -c --arg u "probe-$RUN-x$n@example.com" --arg x "probe-$RUN-x$n" "(.userName = \$u | .emails[0].value = \$u | .externalId = \$x) | ${part#*|}" <<<"$base")"
  send "C2.$n" "create: minimal body ${part%%|*}" POST /Users "$body"; row
  X="$(idof)"; [ -n "$X" ] && EXTRA+=("$X")
done
UB="probe-$RUN-b@example.com"
send C3 "create: bare core user (userName only), for the Add-on-absent probes" POST /Users "$(user_bare "$UB")"
B="$(idof)"; row
send C4 "create: another bare core user, for the Replace-on-absent probes" POST /Users "$(user_bare "probe-$RUN-b2@example.com")"
B2="$(idof)"; row

# ---- read and query
send R1 "GET by id" GET "/Users/$A"; row
send R2 "filter userName eq, other case" GET "/Users?filter=$(uri "userName eq \"${UA^^}\"")"
STORED="$(jq -r --arg a "$A" 'if (.Resources // [] | map(.id) == [$a]) then "yes" else "no" end' "$BODY_FILE" 2>/dev/null)"
BACK="$(jq -c '{totalResults, ids: [.Resources[]?.id]}' "$BODY_FILE" 2>/dev/null | trim 120)"; row
send R3 "filter externalId eq" GET "/Users?filter=$(uri "externalId eq \"probe-$RUN-a\"")"
STORED="$(jq -r --arg a "$A" 'if (.Resources // [] | map(.id) == [$a]) then "yes" else "no" end' "$BODY_FILE" 2>/dev/null)"
BACK="$(jq -c '{totalResults, ids: [.Resources[]?.id]}' "$BODY_FILE" 2>/dev/null | trim 120)"; row
send R5 'filter emails[type eq "work"].value eq (Entra matching on mail)' GET "/Users?filter=$(uri "emails[type eq \"work\"].value eq \"$UA\"")"
STORED="$(jq -r --arg a "$A" 'if (.Resources // [] | map(.id) == [$a]) then "yes" else "no" end' "$BODY_FILE" 2>/dev/null)"
BACK="$(jq -c '{totalResults, ids: [.Resources[]?.id]}' "$BODY_FILE" 2>/dev/null | trim 120)"; row
for page in "1 2" "3 2"; do
  set -- $page
  send "R4.$1" "paging startIndex=$1 count=$2" GET "/Users?startIndex=$1&count=$2"
  BACK="$(jq -c '{totalResults, startIndex, itemsPerPage, n: (.Resources // [] | length)}' "$BODY_FILE" 2>/dev/null)"; row
done

# ---- duplicates
send D1 "duplicate userName, same case" POST /Users "$(user_min "$UA" "probe-$RUN-d1")"; row
send D2 "duplicate userName, other case" POST /Users "$(user_min "${UA^^}" "probe-$RUN-d2")"; row

# ---- PATCH, each read back
ops() { send "$1" "$2" PATCH "/Users/$3" "$(patch "$4")"; }
ops P1 'capitalised "Replace" displayName' "$A" '[{"op":"Replace","path":"displayName","value":"Probe Renamed"}]'
back "/Users/$A" '.displayName' '.displayName == "Probe Renamed"'; row
ops P2 'capitalised "Add" nickName' "$A" '[{"op":"Add","path":"nickName","value":"Babs"}]'
back "/Users/$A" '.nickName' '.nickName == "Babs"'; row
ops P3 'Replace active "False" (string), user active' "$A" '[{"op":"Replace","path":"active","value":"False"}]'
back "/Users/$A" '.active' '.active == false'; row
ops P3c 'replace active false (boolean; aadOptscim062020 form)' "$A" '[{"op":"replace","path":"active","value":false}]'
back "/Users/$A" '.active' '.active == false'; row
ops P4 'Replace active "True" (string), user inactive' "$A" '[{"op":"Replace","path":"active","value":"True"}]'
back "/Users/$A" '.active' '.active == true'; row
ops P4c 'replace active true (boolean)' "$A" '[{"op":"replace","path":"active","value":true}]'
back "/Users/$A" '.active' '.active == true'; row
ops P5 'Replace emails[type eq "work"].value' "$A" '[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"probe-new@example.com"}]'
back "/Users/$A" '[.emails[]? | {type, value}]' '[.emails[]? | select(.type == "work") | .value] == ["probe-new@example.com"]'; row
if [ -n "$B" ]; then
  ops P6 'Add emails[type eq "work"].value, user has no emails' "$B" '[{"op":"Add","path":"emails[type eq \"work\"].value","value":"probe-b@example.com"}]'
  back "/Users/$B" '.emails' '[.emails[]? | select(.type == "work") | .value] == ["probe-b@example.com"]'; row
  ops P7 'Add phoneNumbers[type eq "mobile"].value, user has none' "$B" '[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555 0199"}]'
  back "/Users/$B" '.phoneNumbers' '[.phoneNumbers[]? | select(.type == "mobile") | .value] == ["+1 555 0199"]'; row
  ops P8 'Add addresses[type eq "work"].locality, user has none' "$B" '[{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Springfield"}]'
  back "/Users/$B" '.addresses' '[.addresses[]? | select(.type == "work") | .locality] == ["Springfield"]'; row
fi
if [ -n "$B2" ]; then
  ops P6r 'Replace emails[type eq "work"].value, user has no emails' "$B2" '[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"probe-b2@example.com"}]'
  back "/Users/$B2" '.emails' '[.emails[]? | select(.type == "work") | .value] == ["probe-b2@example.com"]'; row
  ops P8r 'Replace addresses[type eq "work"].postalCode, user has no address' "$B2" '[{"op":"Replace","path":"addresses[type eq \"work\"].postalCode","value":"62701"}]'
  back "/Users/$B2" '.addresses' '[.addresses[]? | select(.type == "work") | .postalCode] == ["62701"]'; row
fi
# Each manager probe names another user, so that a read-back never shows an earlier probe's value.
MGR1="${B:-$M}" MGR2="${M:-$B}" MGR3="${EXTRA[0]:-$B}"
ops P9 'manager as a plain string id (URN path)' "$A" "[{\"op\":\"Add\",\"path\":\"$ENT:manager\",\"value\":\"$MGR1\"}]"
back "/Users/$A" ".[\"$ENT\"].manager" ".[\"$ENT\"].manager.value == \"$MGR1\""; row
ops P10 'manager as {"value": id} (URN path)' "$A" "[{\"op\":\"Add\",\"path\":\"$ENT:manager\",\"value\":{\"value\":\"$MGR2\"}}]"
back "/Users/$A" ".[\"$ENT\"].manager" ".[\"$ENT\"].manager.value == \"$MGR2\""; row
ops P10t 'manager as in the tutorial: path "manager", value [{$ref, value}]' "$A" "[{\"op\":\"Add\",\"path\":\"manager\",\"value\":[{\"\$ref\":\"$BASE/Users/$MGR3\",\"value\":\"$MGR3\"}]}]"
back "/Users/$A" ".[\"$ENT\"].manager" ".[\"$ENT\"].manager.value == \"$MGR3\""; row
ops P11 'Replace department by URN path' "$A" "[{\"op\":\"Replace\",\"path\":\"$ENT:department\",\"value\":\"Marketing\"}]"
back "/Users/$A" ".[\"$ENT\"].department" ".[\"$ENT\"].department == \"Marketing\""; row
ops P12 'Replace employeeNumber by URN path' "$A" "[{\"op\":\"Replace\",\"path\":\"$ENT:employeeNumber\",\"value\":\"67890\"}]"
back "/Users/$A" ".[\"$ENT\"].employeeNumber" ".[\"$ENT\"].employeeNumber == \"67890\""; row
ops P13 'no-path replace with dotted keys name.givenName, name.familyName' "$A" '[{"op":"replace","value":{"name.givenName":"Kim","name.familyName":"Berg"}}]'
back "/Users/$A" '.name' '.name.givenName == "Kim" and .name.familyName == "Berg"'; row
ops P13e 'no-path replace with a dotted enterprise key' "$A" "[{\"op\":\"replace\",\"value\":{\"$ENT:employeeNumber\":\"24680\"}}]"
back "/Users/$A" ".[\"$ENT\"].employeeNumber" ".[\"$ENT\"].employeeNumber == \"24680\""; row
ops P14 'Remove title' "$A" '[{"op":"Remove","path":"title"}]'
back "/Users/$A" '.title' '.title == null'; row
ops P15 'lower-case "add" nickName (RFC form)' "$A" '[{"op":"add","path":"nickName","value":"Bobbie"}]'
back "/Users/$A" '.nickName' '.nickName == "Bobbie"'; row

ops P16 'Replace userName (tutorial "Update User [Single-valued properties]")' "$A" "[{\"op\":\"Replace\",\"path\":\"userName\",\"value\":\"probe-$RUN-renamed@example.com\"}]"
back "/Users/$A" '.userName' ".userName == \"probe-$RUN-renamed@example.com\""; row
ops P16d "Replace userName with another user's, other case" "$A" "[{\"op\":\"Replace\",\"path\":\"userName\",\"value\":\"${UM^^}\"}]"
back "/Users/$A" '.userName' ".userName == \"probe-$RUN-renamed@example.com\""; row

# ---- groups
GN="probe-$RUN-group"
send G1 "create group: core schema only" POST /Groups "$(jq -cn --arg n "$GN-core" --arg s "$CORE_GROUP" '{schemas: [$s], externalId: ($n + "-x"), displayName: $n, meta: {resourceType: "Group"}}')"
G1ID="$(idof)"; row
send G2 "create group: core + ADSCIM schema (tutorial body)" POST /Groups "$(jq -cn --arg n "$GN" --arg s "$CORE_GROUP" --arg a "$ADSCIM" '{schemas: [$s, $a], externalId: ($n + "-x"), displayName: $n, meta: {resourceType: "Group"}}')"
G2ID="$(idof)"; row
GID="${G2ID:-$G1ID}"
GNAME="$GN"; [ -n "$G2ID" ] || GNAME="$GN-core"
U2="${B:-$M}"
members() { jq -cn --argjson v "$(printf '%s\n' "$@" | jq -R . | jq -sc .)" '[$v[] | {"$ref": null, value: .}]'; }
gops() { send "$1" "$2" PATCH "/Groups/$GID" "$(patch "$3")"; }
if [ -n "$GID" ]; then
  gops G4 'Add members, value array with $ref null' "[{\"op\":\"Add\",\"path\":\"members\",\"value\":$(members "$A" "$U2")}]"
  back "/Groups/$GID" '[.members[]?.value]' "([.members[]?.value] | sort) == ([\"$A\", \"$U2\"] | sort)"; row
  send G5 "GET group by id, excludedAttributes=members" GET "/Groups/$GID?excludedAttributes=members"
  STORED="$(jq -r 'if has("members") then "no (members returned)" else "yes (no members)" end' "$BODY_FILE" 2>/dev/null)"; row
  send G6 "query group by displayName, excludedAttributes=members" GET "/Groups?excludedAttributes=members&filter=$(uri "displayName eq \"$GNAME\"")"
  STORED="$(jq -r 'if (.Resources|length) != 1 then "no (\(.Resources|length) results)" elif (.Resources[0]|has("members")) then "no (members returned)" else "yes (1, no members)" end' "$BODY_FILE" 2>/dev/null)"; row
  send G3 "duplicate group displayName" POST /Groups "$(jq -cn --arg n "$GNAME" --arg s "$CORE_GROUP" '{schemas: [$s], externalId: ($n + "-dup"), displayName: $n, meta: {resourceType: "Group"}}')"; row
  gops G7 'Remove members with a value array, on a group of two' "[{\"op\":\"Remove\",\"path\":\"members\",\"value\":$(members "$A")}]"
  back "/Groups/$GID" '[.members[]?.value]' "[.members[]?.value] == [\"$U2\"]"; row
  gops G8a 're-add the member' "[{\"op\":\"Add\",\"path\":\"members\",\"value\":$(members "$A")}]"
  back "/Groups/$GID" '[.members[]?.value]' "([.members[]?.value] | sort) == ([\"$A\", \"$U2\"] | sort)"; row
  gops G8 'remove members[value eq "<id>"] (aadOptscim062020 form)' "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"$A\\\"]\"}]"
  back "/Groups/$GID" '[.members[]?.value]' "[.members[]?.value] == [\"$U2\"]"; row
  gops G9 'Replace displayName' "[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"$GN-renamed\"}]"
  back "/Groups/$GID" '.displayName' ".displayName == \"$GN-renamed\""; row
fi

# ---- delete
send X0 "create a user to delete" POST /Users "$(user_bare "probe-$RUN-del@example.com")"
DID="$(idof)"; row
if [ -n "$DID" ]; then
  send X1 "DELETE user" DELETE "/Users/$DID"; row
  send X2 "GET the deleted user" GET "/Users/$DID"; row
  send X3 "DELETE the same user again" DELETE "/Users/$DID"; row
fi
send X4 "DELETE a random id" DELETE "/Users/$(guid)"; row
[ -n "$GID" ] && { send X5 "DELETE group" DELETE "/Groups/$GID"; row; }

printf '## %s\n\nBase URL `%s`, run `%s`.\n\n' "$LABEL" "$BASE" "$RUN"
printf '| # | behaviour | request | status | Content-Type | answer | stored? (GET afterwards) |\n|---|---|---|---|---|---|---|\n'
cat "$ROWS"
printf '\n### Transcript: %s\n' "$LABEL"
cat "$LOG"
