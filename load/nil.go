package load

import "reflect"

// isNil reports whether v holds a nil pointer, map, channel, slice, function or
// interface. Constructors use it to reject typed nils.
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
