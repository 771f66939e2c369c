module sequential

go 1.21
