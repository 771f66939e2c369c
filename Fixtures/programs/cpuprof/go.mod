module cpuprof

go 1.21
