package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			errs[i] = st.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrate %d: %v", i, err)
		}
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	applied, latest, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if applied != latest || latest < 1 {
		t.Errorf("schema version: applied %d, latest %d", applied, latest)
	}
}

func TestUpsertPracticesIdempotent(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	ps := []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross Surgery", Federation: "North Oxfordshire", ListSize: 12000, Aliases: []string{"Banbury Cross"}},
		{ODSCode: "K84002", Name: "Isis Medical Centre", Federation: "Oxford City"},
	}
	for range 2 {
		if _, err := st.UpsertPractices(ctx, ps); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Practices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ps, got); diff != "" {
		t.Errorf("practices (-want +got):\n%s", diff)
	}
}

func TestUpsertPracticesRejectsBadCodeWhole(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	_, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "Good"},
		{ODSCode: "bad code", Name: "Bad"},
	})
	if err == nil || !strings.Contains(err.Error(), `"bad code" (Bad)`) {
		t.Fatalf("import with an invalid ODS code: %v, want an error naming the practice", err)
	}
	got, err := st.Practices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("got %d practices after failed import, want 0", len(got))
	}
}

func TestSyncCatalogue(t *testing.T) {
	st := storetest.NewStore(t)
	if err := st.SyncCatalogue(context.Background(), survey.DefaultCatalogue()); err != nil {
		t.Fatal(err)
	}
}

// TestImportPractices imports a registry, the same again (skipped: the
// digest is unchanged), one with a practice changed and one given twice
// (the last counts), and checks what the registry holds after each.
func TestImportPractices(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	ps := []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross Surgery", Federation: "North", ListSize: 12000, Aliases: []string{"Banbury Cross"}},
		{ODSCode: "K84002", Name: "Isis Medical Centre", Federation: "City", Postcode: "OX1 1AA"},
		{ODSCode: "K84003", Name: "Jericho", Federation: "City"},
	}
	steps := []struct {
		name          string
		give          []survey.Practice
		wantUnchanged bool
		want          []survey.Practice
	}{
		{"first", ps, false, ps},
		{"same again", slices.Clone(ps), true, ps},
		{"one changed", []survey.Practice{ps[0], {ODSCode: "K84002", Name: "Isis", Federation: "South"}, ps[2]}, false,
			[]survey.Practice{ps[0], {ODSCode: "K84002", Name: "Isis", Federation: "South"}, ps[2]}},
		{"given twice", []survey.Practice{ps[0], {ODSCode: "K84003", Name: "Old"}, ps[2]}, false,
			[]survey.Practice{ps[0], {ODSCode: "K84002", Name: "Isis", Federation: "South"}, ps[2]}},
	}
	for _, s := range steps {
		imp, err := st.ImportPractices(ctx, s.give)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if imp.Unchanged != s.wantUnchanged || imp.Practices != len(s.give) {
			t.Errorf("%s: got %+v, want unchanged %v and %d practices", s.name, imp, s.wantUnchanged, len(s.give))
		}
		got, err := st.Practices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: practices (-want +got):\n%s", s.name, diff)
		}
	}
	counts, err := st.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["federations"] != 3 {
		t.Errorf("%d federations, want North, City and South once each", counts["federations"])
	}
}

// TestImportPracticesAfterTheTableChanged imports a registry, changes the
// table behind the importer's back (by hand, or a restored backup) and
// imports the same registry again: it is written again, not skipped.
func TestImportPracticesAfterTheTableChanged(t *testing.T) {
	url := storetest.URL(t)
	st := storetest.Open(t, url)
	ctx := context.Background()
	ps := []survey.Practice{{ODSCode: "K84001", Name: "Banbury Cross Surgery", Federation: "North"}}
	if _, err := st.ImportPractices(ctx, ps); err != nil {
		t.Fatal(err)
	}
	db := sqlx.MustConnect("postgres", url)
	defer db.Close()
	db.MustExec(`UPDATE practices SET name = 'Renamed by hand'`)
	imp, err := st.ImportPractices(ctx, slices.Clone(ps))
	if err != nil || imp.Unchanged {
		t.Fatalf("import after the table changed: %+v, %v; want it written", imp, err)
	}
	got, err := st.Practices(ctx)
	if err != nil || len(got) != 1 || got[0].Name != ps[0].Name {
		t.Errorf("practices %+v, %v; want the registry's name back", got, err)
	}
	if imp, err := st.ImportPractices(ctx, slices.Clone(ps)); err != nil || !imp.Unchanged {
		t.Errorf("import of the same registry once more: %+v, %v; want it skipped", imp, err)
	}
}
