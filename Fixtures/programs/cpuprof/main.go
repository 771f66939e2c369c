// cpuprof: CPU profiling during the trace. pprof.StartCPUProfile (writing to a
// throwaway temp file, deleted at exit) runs while 2 goroutines burn CPU in
// two distinct functions (main.burnA, main.burnB) and main hashes.
//
// In the trace: CPU samples (StackSample events, at the default 100 Hz per
// thread: a few dozen), whose stacks end in main.burnA / main.burnB /
// main.hashLoop, attributed to the goroutine, P and M that were running. The
// profiler's own goroutine (runtime/pprof.profileWriter) shows up too.
package main

import (
	"crypto/sha256"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
)

const burnIters = 150_000_000 // roughly 200-300 ms of CPU each

var sink uint64
var hsink [32]byte

//go:noinline
func burnA(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func burnB(n int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

//go:noinline
func hashLoop(n int) {
	buf := make([]byte, 8192)
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		hsink = sha256.Sum256(buf)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	prof, err := os.CreateTemp("", "cpuprof-*.pprof")
	if err != nil {
		panic(err)
	}
	defer os.Remove(prof.Name())

	if err := trace.Start(f); err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(prof); err != nil {
		panic(err)
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, fn := range []func(int) uint64{burnA, burnB} {
		wg.Add(1)
		go func(fn func(int) uint64) {
			defer wg.Done()
			v := fn(burnIters)
			mu.Lock()
			sink ^= v
			mu.Unlock()
		}(fn)
	}
	hashLoop(2000)
	wg.Wait()

	pprof.StopCPUProfile()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	prof.Close()
}
