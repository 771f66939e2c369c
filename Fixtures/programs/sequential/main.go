// sequential: all the work runs on the main goroutine, one unit after another
// (no extra goroutines): 1000 units of SHA-256 hashing over a 16 KiB buffer.
//
// In the trace: essentially a single goroutine (main.main) Running from start
// to end, with no scheduling latency and no blocking; only runtime/system
// goroutines besides it. Compare with explosion and pool, which do exactly the
// same total work concurrently.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime/trace"
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

	var acc [32]byte
	for i := 0; i < nUnits; i++ {
		xorInto(&acc, unit(i))
	}

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", acc)
}
