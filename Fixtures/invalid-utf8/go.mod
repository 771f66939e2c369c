module badutf8

go 1.21
