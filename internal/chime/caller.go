package chime

// Caller is the authenticated identity behind a request: the AWS account that
// owns every resource it creates and can see, and the IAM principal recorded as
// CreatedBy / InvitedBy.
type Caller struct {
	AwsAccountID string
	PrincipalARN string
	AccessKeyID  string
}

// tokenHolder is the caller behind a call that a secret in its URL
// authenticated instead of a signature (an incoming webhook, a bot's reply,
// an invitation link), once the secret matched: the AWS account the call
// acts in, and what the secret belongs to (kind "webhook", "bot" or
// "invitation", and its ID) as the principal. It has no access key.
func tokenHolder(awsAccountID, kind, id string) Caller {
	return Caller{AwsAccountID: awsAccountID, PrincipalARN: "chimed:" + kind + "/" + id}
}
