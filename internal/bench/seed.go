package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// seedBatch is how many users go into one transaction: large enough that the
// commit's sync costs nothing per user, small enough to keep the
// transaction's memory modest.
const seedBatch = 10_000

// Seed writes the fixture's account and users through the store, as
// chime.Service.CreateAccount and CreateUser build them, in large
// transactions instead of one API call per user. workers transactions run
// at once: more than one pays on an engine that writes in parallel
// (PostgreSQL, where each insert is a round trip), not on SQLite, whose
// writers take turns.
func Seed(ctx context.Context, store chime.Store, f Fixture, workers int) error {
	err := store.Update(ctx, func(tx chime.Tx) error {
		return tx.InsertAccount(&chime.Account{
			AwsAccountID:      f.AwsAccountID,
			AccountID:         f.AccountID,
			Name:              "chimebench",
			AccountType:       model.AccountTypeTeam,
			DefaultLicense:    model.LicensePro,
			SupportedLicenses: []string{model.LicenseBasic, model.LicensePro},
			CreatedAt:         f.SeededAt,
		})
	})
	if err != nil {
		return fmt.Errorf("seed account: %w", err)
	}
	batches := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for start := range batches {
				if errs[w] == nil {
					errs[w] = seedUsers(ctx, store, f, start, min(start+seedBatch, f.Scale))
				}
			}
		})
	}
	for start := 0; start < f.Scale; start += seedBatch {
		batches <- start
	}
	close(batches)
	wg.Wait()
	return errors.Join(errs...)
}

// seedUsers inserts users start to end-1 in one transaction.
func seedUsers(ctx context.Context, store chime.Store, f Fixture, start, end int) error {
	// Each batch has its own PINs, the same on every run.
	pins := rand.New(rand.NewPCG(uint64(f.Scale), uint64(start)))
	err := store.Update(ctx, func(tx chime.Tx) error {
		for i := start; i < end; i++ {
			if err := tx.InsertUser(f.user(i, pins)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed users %d-%d: %w", start, end-1, err)
	}
	return nil
}

// user is seeded user i as CreateUser makes a user: registered, licensed
// with the account's default, every telephony setting on, a random PIN.
func (f Fixture) user(i int, pins *rand.Rand) *chime.User {
	created := f.SeededAt
	return &chime.User{
		AwsAccountID:       f.AwsAccountID,
		AccountID:          f.AccountID,
		UserID:             f.UserID(i),
		Email:              f.Email(i),
		DisplayName:        fmt.Sprintf("Bench User %d", i),
		UserType:           model.UserTypePrivateUser,
		LicenseType:        model.LicensePro,
		RegistrationStatus: model.RegistrationStatusRegistered,
		PersonalPIN:        fmt.Sprintf("%010d", pins.Uint64N(10_000_000_000)),
		InboundCalling:     true,
		OutboundCalling:    true,
		SMS:                true,
		RegisteredOn:       &created,
		CreatedAt:          created,
	}
}
