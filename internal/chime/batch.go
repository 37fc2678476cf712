package chime

import (
	"slices"
	"strings"
)

// eachInLockOrder runs do on each of a batch's n items in the order of their
// keys, not as listed. Two batches over the same rows listed in different
// orders then queue one behind the other instead of deadlocking: on
// PostgreSQL each deadlock cost a second before a retry, and a few dozen
// overlapping batches took minutes and ended in 503s.
//
// itemError turns an item's refusal into its entry in the answer's error
// list; any other failure ends the batch. The entries come back in the
// items' order, [] when there are none.
func eachInLockOrder[E any](n int, key func(i int) string, do func(i int) error, itemError func(i int, err error) (E, bool)) ([]E, error) {
	order, keys := make([]int, n), make([]string, n)
	for i := range order {
		order[i], keys[i] = i, key(i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	refused := make([]*E, n)
	for _, i := range order {
		err := do(i)
		if e, ok := itemError(i, err); ok {
			refused[i] = &e
		} else if err != nil {
			return nil, err
		}
	}
	out := []E{}
	for _, e := range refused {
		if e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

// withoutRepeats is list with each item kept at its first place only, items
// with the same key being the same.
func withoutRepeats(list []string, key func(string) string) []string {
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, item := range list {
		if k := key(item); !seen[k] {
			seen[k] = true
			out = append(out, item)
		}
	}
	return out
}
