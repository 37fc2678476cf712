package sqlstore

import "strings"

func (t *tx) ClaimDomain(awsAccountID, accountID, domain string) error {
	_, err := t.exec(`INSERT INTO claimed_domains (domain_key, account_id, aws_account_id) VALUES ($1, $2, $3)`,
		strings.ToLower(domain), accountID, awsAccountID)
	return err
}

func (t *tx) ReleaseDomain(accountID, domain string) error {
	return mustAffect(t.exec(`DELETE FROM claimed_domains WHERE domain_key = $1 AND account_id = $2`, strings.ToLower(domain), accountID))
}
