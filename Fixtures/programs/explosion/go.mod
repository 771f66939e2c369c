module explosion

go 1.21
