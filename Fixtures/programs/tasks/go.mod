module tasks

go 1.21
