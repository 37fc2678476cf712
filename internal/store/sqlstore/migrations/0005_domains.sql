-- A domain can be claimed by one Chime account only, across every AWS account,
-- as in Chime: the claim is the proof of ownership of the domain.
CREATE TABLE claimed_domains (
    domain_key     TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    aws_account_id TEXT NOT NULL
);
