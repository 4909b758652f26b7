package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/ingest/tabular/tabulartest"
)

// hostileFile is an input built to hurt a reader, and what its refusal
// must say.
type hostileFile struct {
	name, file, want string
	// build writes the file to path.
	build func(path string) error
}

// workbookFile returns a build function writing the workbook of the parts
// that parts returns; they are made only when the file is built.
func workbookFile(parts func() []tabulartest.Part) func(string) error {
	return func(path string) error {
		b, err := tabulartest.Workbook(parts()...)
		if err != nil {
			return err
		}
		return os.WriteFile(path, b, 0o644)
	}
}

// noise returns n bytes of letters that compress about as badly as text
// can, from a fixed seed.
func noise(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return string(b)
}

// textStrings returns about size bytes of shared strings that compress as
// survey answers do, a few times over: each a label and words of its own.
func textStrings(size int) string {
	words := noise(size)
	var b strings.Builder
	for i := 0; b.Len() < size; i += 24 {
		b.WriteString("<si><t>Very high priority: " + words[i%(size-24):i%(size-24)+24] + "</t></si>")
	}
	return b.String()
}

// citingRows returns n rows whose one cell cites shared string i times
// step.
func citingRows(n, step int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>`, i+1, i+1, i*step)
	}
	return b.String()
}

// sheetPart returns the worksheet part holding rows.
func sheetPart(rows string) tabulartest.Part {
	return tabulartest.Part{Name: "xl/worksheets/sheet1.xml", Prefix: tabulartest.Sheet(rows)}
}

// sheetOpen returns the start of a worksheet part, up to its first row.
func sheetOpen() string {
	return strings.TrimSuffix(tabulartest.Sheet(""), "</sheetData></worksheet>")
}

// nested returns n start tags, each nested in the one before, of names
// that differ so that they compress as markup does, not as a bomb.
func nested(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<e%d>", i*7919%1_000_003)
	}
	return b.String()
}

// wideRow returns one row of n distinct inline-string cells.
func wideRow(n int) string {
	var b strings.Builder
	b.WriteString(`<row r="1">`)
	for i := range n {
		fmt.Fprintf(&b, `<c t="inlineStr"><is><t>q%d</t></is></c>`, i*7919%1_000_003)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// repeatedText writes a text file of prefix then n bytes of chunk repeated.
func repeatedText(prefix, chunk string, n int) func(string) error {
	return func(path string) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(prefix)
		block := strings.Repeat(chunk, max(1, (1<<20)/len(chunk)))
		for written := 0; written < n; written += len(block) {
			w.WriteString(block)
		}
		return errors.Join(w.Flush(), f.Close())
	}
}

// hostileFiles are the shapes of the intake requirements: workbooks whose
// shared strings inflate to a gigabyte, or hold too many strings or too
// long a string, whose worksheet is a bomb or one endless row, and text
// files of one endless record.
var hostileFiles = []hostileFile{
	{name: "shared strings 1 GB from 2.5 MB", file: "sst-1g.xlsx", want: "decompression bomb",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings("<si><t>Timestamp</t></si>", 40_000_000)}
		})},
	{name: "shared strings 400 MB from 1 MB", file: "sst-400m.xlsx", want: "decompression bomb",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings("<si><t>Timestamp</t></si>", 16_000_000)}
		})},
	{name: "shared strings 128 MB, compressed as text is", file: "sst-128m.xlsx", want: "shared strings unzip to 128.0 MB",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings(textStrings(1<<20), 128)}
		})},
	{name: "three million shared strings", file: "sst-3m.xlsx", want: "more than 2000000 shared strings",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings(tabulartest.Strings("", 100_000), 30)}
		})},
	{name: "a shared string of 2 MB", file: "sst-long.xlsx", want: "longer than 1048576 bytes",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings("<si><t>"+noise(2<<20)+"</t></si>", 1)}
		})},
	{name: "worksheet 1 GB from 1 MB", file: "sheet-1g.xlsx", want: "decompression bomb",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.Part{Name: "xl/worksheets/sheet1.xml", Prefix: sheetOpen() + `<row r="1">`,
				Chunk: []byte(`<c t="inlineStr"><is><t>q</t></is></c>`), Repeat: 25_000_000, Suffix: `</row></sheetData></worksheet>`}}
		})},
	{name: "a row of 20,000 cells", file: "wide.xlsx", want: "more than 4096 columns",
		build: workbookFile(func() []tabulartest.Part { return []tabulartest.Part{sheetPart(wideRow(20_000))} })},
	{name: "a cell nesting 50,000 elements", file: "deep.xlsx", want: `more than 10000 deep (sheet "Sheet1", cell B2)`,
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{sheetPart(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2">` + nested(50_000))}
		})},
	{name: "a row citing a 512 KB string 4,000 times", file: "cites.xlsx", want: "longer than 1048576 bytes",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings("<si><t>"+noise(512<<10)+"</t></si>", 1),
				sheetPart(`<row r="1">` + strings.Repeat(`<c t="s"><v>0</v></c>`, 4000) + `</row>`)}
		})},
	{name: "within the limits: 110,000 shared strings, read from a temporary file", file: "big.xlsx", want: "read 1000 rows",
		build: workbookFile(func() []tabulartest.Part {
			return []tabulartest.Part{tabulartest.SharedStrings(tabulartest.Strings("Jericho Canal Surgery ", 110_000), 1), sheetPart(citingRows(1000, 110))}
		})},
	{name: "a CSV record of 32 MB", file: "line.csv", want: "longer than 1048576 bytes",
		build: repeatedText("Timestamp,Which practice?\n", "Jericho,", 32<<20)},
	{name: "a quoted CSV cell that never ends", file: "quote.csv", want: "longer than 1048576 bytes",
		build: repeatedText("Timestamp,Which practice?\n1/1/2026,\"", "x\n", 32<<20)},
}

// readCounting reads every row of the file at path with the default
// limits, keeping none, and says how many it read.
func readCounting(path string) (string, error) {
	info, err := Fingerprint(path)
	if err != nil {
		return "", err
	}
	src, err := Open(path, info, DefaultLimits, SheetChoice{}, nil)
	if err != nil {
		return "", err
	}
	defer src.Close()
	n := 0
	for {
		_, _, err := src.Next()
		if err == io.EOF {
			return fmt.Sprintf("read %d rows", n), nil
		}
		if err != nil {
			return "", err
		}
		n++
	}
}

// childEnv names the file a child test process reads, and childPeak
// starts the line in which it reports its peak memory.
const (
	childEnv  = "TABULAR_HOSTILE_FILE"
	childPeak = "peak-rss-kb "
)

// TestHostileFilesPeakMemory reads every hostile file in a process of its
// own and checks it is refused with the right reason in bounded memory:
// the process's peak resident set (VmHWM) stays under 300 MB. So does a
// large workbook within the limits, which is read whole. The time taken
// is logged, not checked; the limits refuse early instead.
func TestHostileFilesPeakMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from /proc/self/status")
	}
	if os.Getenv(childEnv) != "" {
		t.Skip("in a child process")
	}
	const ceilingKB = 300 << 10
	dir := t.TempDir()
	for _, h := range hostileFiles {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, h.file)
			if err := h.build(path); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			cmd := exec.Command(os.Args[0], "-test.run=^TestHostileFileChild$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+path)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			peak, reason := childReport(t, out)
			t.Logf("done in %v with peak RSS %d MB: %s", took.Round(time.Millisecond), peak>>10, reason)
			if peak > ceilingKB {
				t.Errorf("peak RSS %d MB, want under %d MB", peak>>10, ceilingKB>>10)
			}
			if !strings.Contains(reason, h.want) {
				t.Errorf("refused with %q, want a reason mentioning %q", reason, h.want)
			}
		})
	}
}

// childReport returns the peak memory and refusal a child printed.
func childReport(t *testing.T, out []byte) (peakKB int64, reason string) {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if _, rest, ok := strings.Cut(line, childPeak); ok {
			kb, r, _ := strings.Cut(rest, " ")
			n, err := strconv.ParseInt(kb, 10, 64)
			if err != nil {
				t.Fatalf("child report %q: %v", line, err)
			}
			return n, r
		}
	}
	t.Fatalf("child reported nothing:\n%s", out)
	return 0, ""
}

// TestHostileFileChild is the child of [TestHostileFilesPeakMemory]: it
// reads the file named in its environment with the default limits and
// prints its peak memory and the refusal.
func TestHostileFileChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("run by TestHostileFilesPeakMemory")
	}
	reason, err := readCounting(path)
	if err != nil {
		reason = err.Error()
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(status, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb := strings.TrimSuffix(strings.TrimSpace(string(v)), " kB")
			fmt.Printf("%s%s %s\n", childPeak, kb, strings.ReplaceAll(reason, "\n", " "))
			return
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
}

// endless is a reader of head and then chunk without end, counting the
// bytes read.
type endless struct {
	head, chunk []byte
	pos, read   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		src := e.chunk
		off := e.pos - len(e.head)
		if off < 0 {
			src, off = e.head, e.pos
		} else {
			off %= len(e.chunk)
		}
		m := copy(p[n:], src[off:])
		n += m
		e.pos += m
	}
	e.read += n
	return n, nil
}

// TestLeanRowReadBounded reads rows of worksheets that never end inside
// one cell, repeating its value or nesting elements, and checks the lean
// reader refuses each having read no more of the part than a row's bound
// (rowXMLFactor times MaxRecordBytes) and a buffer.
func TestLeanRowReadBounded(t *testing.T) {
	lim := DefaultLimits
	bound := rowXMLFactor*lim.MaxRecordBytes + 2*scanBuffer
	head := sheetOpen() + `<row r="1"><c r="A1" t="str">`
	for _, c := range []struct {
		name, chunk string
		want        error
	}{
		{"value repeated", "<v>" + strings.Repeat("x", 1000) + "</v>", errPastLimit},
		{"elements nested", "<a>", errTooDeep},
		{"runs of an inline string", `<is><r><t>` + strings.Repeat("y", 100) + `</t></r>`, errTooDeep},
		{"runs added to", `<r><t>` + strings.Repeat("z", 100) + `</t></r>`, errPastLimit},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := head
			if c.name == "runs added to" {
				h = sheetOpen() + `<row r="1"><c r="A1" t="inlineStr"><is>`
			}
			r := &endless{head: []byte(h), chunk: []byte(c.chunk)}
			rows := &sheetRows{sc: newXMLScanner(r, rowXMLFactor*lim.MaxRecordBytes), lim: lim}
			more, err := rows.Next()
			if !more || err != nil {
				t.Fatalf("Next: %v, %v", more, err)
			}
			_, err = rows.Columns()
			if !errors.Is(err, c.want) {
				t.Errorf("Columns: %v, want %v", err, c.want)
			}
			if r.read > bound {
				t.Errorf("read %d bytes of the part, want at most %d", r.read, bound)
			}
		})
	}
}

// TestLeanLongNamesNestedBounded opens a worksheet whose elements before
// the rows nest without end, each named with 10,000 letters: the scanner
// refuses it once the open names would hold more than maxOpenNameBytes,
// long before the depth limit.
func TestLeanLongNamesNestedBounded(t *testing.T) {
	lim := DefaultLimits
	r := &endless{head: []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="urn:x">`),
		chunk: []byte("<" + strings.Repeat("n", 10000) + ">")}
	rows := &sheetRows{sc: newXMLScanner(r, rowXMLFactor*lim.MaxRecordBytes), lim: lim}
	if more, err := rows.Next(); more || !errors.Is(err, errTooDeep) {
		t.Fatalf("Next: %v, %v; want %v", more, err, errTooDeep)
	}
	if n := len(rows.sc.names); n > maxOpenNameBytes {
		t.Errorf("open names hold %d bytes, want at most %d", n, maxOpenNameBytes)
	}
	if r.read > 2*maxOpenNameBytes+2*scanBuffer {
		t.Errorf("read %d bytes of the part", r.read)
	}
}
