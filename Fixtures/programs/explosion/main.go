// explosion: a goroutine explosion. main spawns 1000 goroutines at once, one
// per unit of work (the same 1000 SHA-256 units as sequential and pool); each
// does its unit, stores the result and exits. main waits on a WaitGroup.
//
// In the trace: 1000 main.main.func1 goroutines created in a burst by main,
// most of them Runnable for a long time before they first run (large
// scheduling latency), each running briefly and ending (GoDestroy).
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
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

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	results := make([][32]byte, nUnits)
	var wg sync.WaitGroup
	wg.Add(nUnits)
	for i := 0; i < nUnits; i++ {
		go func(i int) {
			defer wg.Done()
			results[i] = unit(i)
		}(i)
	}
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	var acc [32]byte
	for _, r := range results {
		xorInto(&acc, r)
	}
	fmt.Printf("%x\n", acc)
}
