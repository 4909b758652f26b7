package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// benchRegistrySize is the practices of a national registry.
const benchRegistrySize = 6_500

// BenchmarkPracticesImport times what a cycle does with the practice
// registry, for a registry of 6,500 practices in 42 federations: read the
// file, import it (Store.UpsertPractices), match again the stored answers
// that matched no practice. import=unchanged is the same file as the last
// import, import=changed one with a practice renamed (each iteration
// imports the other of two such files); baseline=per-row is
// the same cycle with the import done as it was before, two statements
// per practice (13,000 round trips), in the same run. The database holds
// no respondents, so the re-match only looks.
func BenchmarkPracticesImport(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	files := [2]string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")}
	for i, path := range files {
		if err := writeBenchRegistry(path, fmt.Sprintf("Renamed %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	url := storetest.URL(b)
	st := storetest.Open(b, url)
	cycle := func(b *testing.B, path string, upsert func([]survey.Practice) error) {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		reg, err := ReadRegistry(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := upsert(reg.Practices); err != nil {
			b.Fatal(err)
		}
		if _, err := RematchPractices(ctx, st); err != nil {
			b.Fatal(err)
		}
	}
	upsert := func(ps []survey.Practice) error {
		_, err := st.UpsertPractices(ctx, ps)
		return err
	}
	cycle(b, files[0], upsert)
	var results []string
	report := func(b *testing.B, name string, elapsed time.Duration) {
		per := elapsed / time.Duration(b.N)
		b.ReportMetric(float64(per.Microseconds())/1000, "ms/import")
		results = append(results, fmt.Sprintf("%-22s %8.1f ms", name, float64(per.Microseconds())/1000))
	}
	b.Run("baseline=per-row", func(b *testing.B) {
		db := sqlx.MustConnect("postgres", url)
		defer db.Close()
		var elapsed time.Duration
		for i := 0; b.Loop(); i++ {
			t0 := time.Now()
			cycle(b, files[i%2], func(ps []survey.Practice) error { return perRowUpsert(ctx, db, ps) })
			elapsed += time.Since(t0)
		}
		report(b, "baseline=per-row", elapsed)
	})
	b.Run("import=changed", func(b *testing.B) {
		var elapsed time.Duration
		for i := 0; b.Loop(); i++ {
			t0 := time.Now()
			cycle(b, files[(i+1)%2], upsert) // files[0] was imported last
			elapsed += time.Since(t0)
		}
		report(b, "import=changed", elapsed)
	})
	b.Run("import=unchanged", func(b *testing.B) {
		cycle(b, files[0], upsert)
		var elapsed time.Duration
		for b.Loop() {
			t0 := time.Now()
			cycle(b, files[0], upsert)
			elapsed += time.Since(t0)
		}
		report(b, "import=unchanged", elapsed)
	})
	fmt.Printf("\npractices import summary (%d practices: read, import, re-match; this run)\n", benchRegistrySize)
	for _, r := range results {
		fmt.Println(r)
	}
	fmt.Println()
}

// writeBenchRegistry writes a registry of benchRegistrySize practices in
// 42 federations, the last one named renamed: two such files differ in
// one practice, as a month's registry differs from the last.
func writeBenchRegistry(path, renamed string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "ods_code,name,federation,list_size,postcode,aliases")
	for i := range benchRegistrySize {
		name := fmt.Sprintf("Practice %d Surgery", i)
		if i == benchRegistrySize-1 {
			name = renamed
		}
		fmt.Fprintf(f, "B%05d,%s,Federation %d,%d,OX%d 1AA,Practice %d\n", i, name, i%42, 4000+i%9000, i%10, i)
	}
	return f.Close()
}

// perRowUpsert imports ps as UpsertPractices did before it copied the
// registry in: a federation upsert and a practice upsert per practice, in
// one transaction.
func perRowUpsert(ctx context.Context, db *sqlx.DB, ps []survey.Practice) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, p := range ps {
		var fedID *int64
		if p.Federation != "" {
			var id int64
			if err := tx.GetContext(ctx, &id, `INSERT INTO federations (name) VALUES ($1)
				ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, p.Federation); err != nil {
				return err
			}
			fedID = &id
		}
		var listSize *int
		if p.ListSize > 0 {
			listSize = &p.ListSize
		}
		aliases := p.Aliases
		if aliases == nil {
			aliases = []string{}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO practices (ods_code, name, federation_id, list_size, postcode, aliases)
			VALUES ($1, $2, $3, $4, nullif($5, ''), $6)
			ON CONFLICT (ods_code) DO UPDATE SET name = EXCLUDED.name, federation_id = EXCLUDED.federation_id,
				list_size = EXCLUDED.list_size, postcode = EXCLUDED.postcode, aliases = EXCLUDED.aliases,
				updated_at = now()
			WHERE (practices.name, practices.federation_id, practices.list_size, practices.postcode, practices.aliases)
				IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.federation_id, EXCLUDED.list_size, EXCLUDED.postcode, EXCLUDED.aliases)`,
			p.ODSCode, p.Name, fedID, listSize, p.Postcode, pq.Array(aliases))
		if err != nil {
			return err
		}
	}
	return tx.Commit()
}
