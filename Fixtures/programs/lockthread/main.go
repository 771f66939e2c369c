// lockthread: runtime.LockOSThread and GOMAXPROCS changes while the GC runs.
//
// GOMAXPROCS is set to 2 before tracing starts; GOGC is lowered to 20 and a
// background goroutine allocates continuously, so GC cycles keep running
// throughout. Meanwhile:
//   - 2 goroutines call runtime.LockOSThread and alternate hashing with
//     time.Sleep (a locked goroutine keeps its own M: when it blocks the
//     thread parks with it and the P is handed to another M). One unlocks
//     before returning; the other exits while still locked (its thread is
//     terminated).
//   - main changes GOMAXPROCS during the run: 2 → 1 → 3 → 2 → 1 → 2, one change
//     every ~12 ms. Each change is a "stop-the-world (GOMAXPROCS)" range and a
//     new /sched/gomaxprocs:threads Metric event; Ps beyond the new count go
//     Idle (and, growing, new ProcIDs appear).
//
// GC cycles ("GC concurrent mark phase") happen in every GOMAXPROCS phase,
// before and after each change, so the MMU / mutator utilization sees GC work
// under different GOMAXPROCS values. Note: the runtime never changes
// GOMAXPROCS inside a GC mark phase (runtime.GOMAXPROCS waits for gcsema, so a
// change requested mid-cycle is applied right after the cycle ends).
package main

import (
	"crypto/sha256"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var (
	sink  [32]byte
	keep  [][]byte
	stop  atomic.Bool
	phase = []int{1, 3, 2, 1, 2}
)

func hash(n int) {
	var buf [1024]byte
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		sink = sha256.Sum256(buf[:])
	}
}

// allocate keeps ~1 MB live and churns small objects (256 KiB bursts every
// ~0.2-1 ms, about one GC cycle every few ms) until stopped.
func allocate(done chan<- struct{}) {
	keep = make([][]byte, 4096)
	i := 0
	for !stop.Load() {
		for j := 0; j < 1024; j++ { // 256 KiB per burst
			keep[i%len(keep)] = make([]byte, 256)
			i++
		}
		time.Sleep(200 * time.Microsecond)
	}
	close(done)
}

func locked(id int, unlock bool, wg *sync.WaitGroup) {
	defer wg.Done()
	runtime.LockOSThread()
	if unlock {
		defer runtime.UnlockOSThread()
	}
	for i := 0; i < 10; i++ {
		hash(50)
		time.Sleep(5 * time.Millisecond)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	runtime.GOMAXPROCS(2)
	debug.SetGCPercent(20)

	if err := trace.Start(f); err != nil {
		panic(err)
	}

	allocDone := make(chan struct{})
	go allocate(allocDone)
	var wg sync.WaitGroup
	wg.Add(2)
	go locked(0, true, &wg)
	go locked(1, false, &wg)

	for _, n := range phase {
		time.Sleep(12 * time.Millisecond)
		runtime.GOMAXPROCS(n)
	}
	time.Sleep(12 * time.Millisecond)

	wg.Wait()
	stop.Store(true)
	<-allocDone

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
