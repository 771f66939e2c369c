module workers

go 1.21
