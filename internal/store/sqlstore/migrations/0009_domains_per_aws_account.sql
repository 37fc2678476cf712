-- A domain is claimed within an AWS account: by one of its Chime accounts
-- at a time. Across AWS accounts claims are independent: chimed cannot
-- check who owns a domain as Chime did (DNS), and a claim by one tenant
-- must not lock the domain's owner out, nor tell other tenants it exists.
CREATE TABLE claimed_domains_per_aws_account (
    aws_account_id TEXT NOT NULL,
    domain_key     TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    PRIMARY KEY (aws_account_id, domain_key)
);
INSERT INTO claimed_domains_per_aws_account (aws_account_id, domain_key, account_id)
    SELECT aws_account_id, domain_key, account_id FROM claimed_domains;
DROP TABLE claimed_domains;
ALTER TABLE claimed_domains_per_aws_account RENAME TO claimed_domains;
