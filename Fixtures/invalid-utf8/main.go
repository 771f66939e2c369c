// Writes an execution trace whose user annotations hold strings that are not valid UTF-8.
package main

import (
	"context"
	"os"
	"runtime/trace"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "task\xff\xfe")
	trace.Log(ctx, "cat\xc3", "msg \xed\xa0\x80 ok \xe2\x82")
	trace.WithRegion(ctx, "region\x80", func() {
		trace.Log(ctx, "caf\xc3\xa9", "valid é and \xf4\x90\x80\x80")
	})
	task.End()
	trace.Stop()
	f.Close()
}
