// gcheavy: a GC-heavy allocator. GOGC is lowered to 20 with
// debug.SetGCPercent, a ~4 MB live set of small objects is kept (a ring of
// pointers that is constantly overwritten), and 3 goroutines allocate and drop
// many small objects (linked nodes and short byte slices).
//
// In the trace: ~15-25 GC cycles ("GC concurrent mark phase" ranges), each
// with two GC stop-the-world pauses ("stop-the-world (GC sweep termination)"
// and "(GC mark termination)"), GC background mark workers running on the Ps
// (Label "GC (fractional)" / "GC (idle)"), "GC mark assist" ranges on the
// allocating goroutines, "GC incremental sweep" ranges, and
// /gc/heap/goal:bytes and /gc/heap/live:bytes metrics. With Go >= 1.25 some
// runs also have thousands of bgsweep Running->Runnable yields
// (runtime.goschedIfBusy) around mark termination, see ../../README.md.
package main

import (
	"os"
	"runtime/debug"
	"runtime/trace"
	"sync"
)

type node struct {
	next  *node
	val   [6]uint64
	bytes []byte
}

const (
	liveObjects = 40_000 // ~4 MB kept live (80 B node + 16 B slice each)
	allocators  = 3
	perAlloc    = 40_000 // objects allocated per allocator goroutine
)

var ring []*node

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	debug.SetGCPercent(20)
	ring = make([]*node, liveObjects)
	for i := range ring {
		ring[i] = &node{bytes: make([]byte, 16)}
	}

	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	for a := 0; a < allocators; a++ {
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			var head *node
			for i := 0; i < perAlloc; i++ {
				n := &node{next: head, bytes: make([]byte, 32+i%64)}
				n.val[0] = uint64(i)
				head = n
				if i%64 == 0 {
					head = nil // drop the short list
				}
				if i%8 == 0 {
					// Replace an element of the live set (shared ring) with a
					// fresh object (not n: that would keep its whole list alive).
					keep := &node{bytes: make([]byte, 16)}
					keep.val[0] = uint64(i)
					mu.Lock()
					ring[(i*allocators+a)%liveObjects] = keep
					mu.Unlock()
				}
			}
		}(a)
	}
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
