module cpuio

go 1.21
