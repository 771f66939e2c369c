module flightrec

go 1.25
