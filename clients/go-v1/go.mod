module github.com/chimed/chimed/clients/go-v1

go 1.26

require github.com/aws/aws-sdk-go v1.55.5

require github.com/jmespath/go-jmespath v0.4.0 // indirect
