// workers: three worker goroutines that each print a line to stdout and then
// sleep, for a fixed number of iterations, while main waits on a WaitGroup.
//
// In the trace: goroutine 1 (main.main) plus three main.worker goroutines
// created by main, each alternating short Running slices with ~5 ms
// Waiting("sleep") intervals; the writes to stdout appear as short syscalls.
// The CPU is mostly idle.
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

const (
	nWorkers   = 3
	iterations = 8
	pause      = 5 * time.Millisecond
)

func worker(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < iterations; i++ {
		fmt.Printf("worker %d: iteration %d\n", id, i)
		time.Sleep(pause)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	for id := 0; id < nWorkers; id++ {
		wg.Add(1)
		go worker(id, &wg)
	}
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
