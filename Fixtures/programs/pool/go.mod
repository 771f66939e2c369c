module pool

go 1.21
