package decode

import (
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// Set reads the value v of one key, the field named field, into where it points. A mistake is
// returned (and recorded by Keys); the destination then holds the zero value.
type Set func(d *Decoder, v *yaml.Node, field string) error

// Key is one key a mapping may hold and how its value is read.
type Key struct {
	Name string
	Set  Set
}

// Keys reads the mapping n (the value at field) by a table of the keys it may hold, as Fields does
// with known the table's names in the table's order: each key's value is read by its Set, at the
// key's dotted field. A key the table does not name is an unknown key, with a hint.
func (d *Decoder) Keys(n *yaml.Node, field string, pos *Pos, keys ...Key) error {
	known := make([]string, len(keys))
	for i, k := range keys {
		known[i] = k.Name
	}
	return d.Fields(n, field, pos, known, func(key string, _, v *yaml.Node) error {
		return keys[slices.Index(known, key)].Set(d, v, Field(field, key))
	})
}

// StrKey is the key name, a string read into p.
func StrKey(name string, p *string) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Str(v, field); return err }}
}

// BoolKey is the key name, true or false read into p.
func BoolKey(name string, p *bool) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Bool(v, field); return err }}
}

// IntKey is the key name, an integer read into p.
func IntKey(name string, p *int) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Int(v, field); return err }}
}

// DurationKey is the key name, a Go duration read into p.
func DurationKey(name string, p *time.Duration) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Duration(v, field); return err }}
}

// TimeKey is the key name, an RFC 3339 time read into p.
func TimeKey(name string, p *time.Time) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Time(v, field); return err }}
}

// StringsKey is the key name, a list of strings read into p.
func StringsKey(name string, p *[]string) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) (err error) { *p, err = d.Strings(v, field); return err }}
}

// ListKey is the key name, a list read into p by ToList.
func ListKey[T any](name string, p *[]T, item func(d *Decoder, n *yaml.Node, field string) (T, error)) Key {
	return Key{name, ToList(p, item)}
}

// MappingKey is the key name, a mapping read by the table keys (Keys), each key's position
// recorded in pos when not nil.
func MappingKey(name string, pos *Pos, keys ...Key) Key {
	return Key{name, func(d *Decoder, v *yaml.Node, field string) error { return d.Keys(v, field, pos, keys...) }}
}

// ToList reads a list into p, each item (at field[i]) by item; an item with a mistake is recorded
// and the next one read.
func ToList[T any](p *[]T, item func(d *Decoder, n *yaml.Node, field string) (T, error)) Set {
	return func(d *Decoder, v *yaml.Node, field string) error {
		return d.Sequence(v, field, func(i int, it *yaml.Node) error {
			x, err := item(d, it, Index(field, i))
			*p = append(*p, x)
			return err
		})
	}
}
