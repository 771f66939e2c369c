// pool: a worker pool of runtime.NumCPU() goroutines consuming the same 1000
// SHA-256 units as sequential and explosion from an unbuffered jobs channel and
// sending results back on a results channel that main drains.
//
// In the trace: NumCPU main.worker goroutines plus a main.main.func1 producer,
// constantly blocking and unblocking on "chan send"/"chan receive", so there
// are many more goroutine transitions and more scheduling latency than in
// sequential, but far fewer goroutines than in explosion.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

// The unit of work shared (byte for byte) by sequential, explosion and pool:
// unit i hashes a 16 KiB buffer seeded with i, feeding each digest back into
// the buffer, for a fixed number of rounds. All three programs do units
// 0..nUnits-1 and print the XOR of the results, which must be identical.
const (
	nUnits     = 1000
	unitRounds = 4
	unitBytes  = 16 << 10
)

func unit(i int) [32]byte {
	buf := make([]byte, unitBytes)
	for j := range buf {
		buf[j] = byte(i*31 + j*7)
	}
	var sum [32]byte
	for r := 0; r < unitRounds; r++ {
		sum = sha256.Sum256(buf)
		copy(buf[r*32:], sum[:])
	}
	return sum
}

func xorInto(acc *[32]byte, v [32]byte) {
	for k := range acc {
		acc[k] ^= v[k]
	}
}

type result struct {
	i   int
	sum [32]byte
}

func worker(jobs <-chan int, results chan<- result, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := range jobs {
		results <- result{i, unit(i)}
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

	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go worker(jobs, results, &wg)
	}
	go func() {
		for i := 0; i < nUnits; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var acc [32]byte
	n := 0
	for r := range results {
		xorInto(&acc, r.sum)
		n++
	}
	if n != nUnits {
		panic("lost results")
	}

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", acc)
}
