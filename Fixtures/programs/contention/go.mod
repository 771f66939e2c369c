module contention

go 1.21
