package towerhttp

import "reflect"

// isNilValue reports whether v holds a nil pointer, map, channel, slice, function
// or interface, on which a method call would panic.
func isNilValue(v any) bool {
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
