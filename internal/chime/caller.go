package chime

// Caller is the authenticated identity behind a request: the AWS account that
// owns every resource it creates and can see, and the IAM principal recorded as
// CreatedBy / InvitedBy.
type Caller struct {
	AwsAccountID string
	PrincipalARN string
	AccessKeyID  string
}
