package sqlstore

import (
	"strconv"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

func (t *tx) InsertBot(b *chime.Bot) error {
	_, err := t.exec(`INSERT INTO bots (bot_id, account_id, aws_account_id, email_key, doc) VALUES ($1, $2, $3, $4, $5)`,
		b.BotID, b.AccountID, b.AwsAccountID, strings.ToLower(b.Email), encode(b))
	return err
}

func (t *tx) FindBotByEmail(awsAccountID, email string) (*chime.Bot, error) {
	b := new(chime.Bot)
	err := t.getDoc(b, `SELECT doc FROM bots WHERE aws_account_id = $1 AND email_key = $2`, awsAccountID, email)
	return b, err
}

func (t *tx) SaveBot(b *chime.Bot) error {
	return mustAffect(t.exec(`UPDATE bots SET doc = $1 WHERE account_id = $2 AND bot_id = $3`, encode(b), b.AccountID, b.BotID))
}

func (t *tx) GetBot(accountID, botID string) (*chime.Bot, error) {
	b := new(chime.Bot)
	err := t.getDoc(b, `SELECT doc FROM bots WHERE account_id = $1 AND bot_id = $2`, accountID, botID)
	return b, err
}

func (t *tx) ListBots(accountID string, p chime.Page) ([]*chime.Bot, error) {
	return listDocs[chime.Bot](t, `SELECT doc FROM bots WHERE account_id = $1 AND bot_id > $2 ORDER BY bot_id LIMIT `+strconv.Itoa(p.Limit),
		accountID, p.After)
}
