module netfile

go 1.21
