module lockthread

go 1.21
