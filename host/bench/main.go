// Command bench is `make bench`: it measures, side by side in one run, the
// host's cold round trip against a minimal echo host, unlock+sign in process
// against node-forge, a 1000-document batch over the pipe against in-process
// crypto/rsa, and the host's peak RSS; then prints a Markdown report and,
// with -write, replaces the generated section of docs/PERFORMANCE.md.
package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat/keyfile"
)

const password = "12345678a"

func main() {
	bin := flag.String("bin", "bin/efirma", "host binary")
	runs := flag.Int("runs", 60, "cold starts per side")
	write := flag.String("write", "", "Markdown file whose generated section is replaced")
	flag.Parse()
	rep, err := run(*bin, *runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Print(rep)
	if *write != "" {
		if err := replaceSection(*write, rep); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func req(id, cmd string, params any) []byte {
	raw, _ := json.Marshal(params)
	b, _ := json.Marshal(protocol.Request{ID: id, Command: cmd, Params: raw})
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// roundTrip spawns bin with args, writes input, closes stdin, reads every
// response, waits for exit, and returns the elapsed time and peak RSS (KiB).
func roundTrip(bin string, args, env []string, input []byte) (time.Duration, int64, [][]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, nil, err
	}
	el := time.Since(t0)
	var frames [][]byte
	for {
		b, err := nativemsg.ReadFrame(&out, protocol.MaxResponseBytes)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, nil, err
		}
		frames = append(frames, b)
	}
	return el, peakRSS(cmd.ProcessState), frames, nil
}

type result struct {
	name, ours, baseline, ratio, target, verdict string
}

func run(bin string, runs int) (string, error) {
	tmp, err := os.MkdirTemp("", "efirma-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	echo := filepath.Join(tmp, "echo")
	if out, err := exec.Command("go", "build", "-o", echo, "./host/bench/echo").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build echo: %v %s", err, out)
	}
	home := filepath.Join(tmp, "home")
	env := append(os.Environ(), "EFIRMA_HOME="+home, "EFIRMA_LOG_LEVEL=warn")
	credDir := "testdata/creds/fiel-fisica"
	imp := exec.Command(bin, "import", "--cer", credDir+"/certificate.cer", "--key", credDir+"/private_key.key", "--password-stdin", "--json")
	imp.Env = env
	imp.Stdin = strings.NewReader(password + "\n")
	out, err := imp.Output()
	if err != nil {
		return "", fmt.Errorf("import: %v", err)
	}
	var info protocol.CertInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	var results []result
	args := []string{"chrome-extension://benchbenchbenchbenchbenchbenchbe/"}

	// 1. Cold round trip: hello, EOF, exit — interleaved with the echo floor.
	hello := req("1", protocol.CmdHello, nil)
	var ours, floor []time.Duration
	for i := 0; i < runs; i++ {
		d, _, fr, err := roundTrip(bin, args, env, hello)
		if err != nil || len(fr) != 1 {
			return "", fmt.Errorf("host hello: %v", err)
		}
		ours = append(ours, d)
		d, _, fr, err = roundTrip(echo, args, env, hello)
		if err != nil || len(fr) != 1 {
			return "", fmt.Errorf("echo: %v", err)
		}
		floor = append(floor, d)
	}
	mo, mf := median(ours), median(floor)
	r := float64(mo) / float64(mf)
	results = append(results, result{"Cold round trip (spawn, `hello`, EOF, exit), median", ms(mo), ms(mf) + " (Go echo host)", fmt.Sprintf("%.2f×", r), "≤ 1.5×", verdict(r <= 1.5)})

	// 2. Unlock + sign in process vs node-forge, interleaved: three turns of
	// 20 in process, then 20 in one node-forge process; the medians of all.
	keyDER, _ := os.ReadFile(credDir + "/private_key.key")
	var inproc []time.Duration
	var forge []float64
	var ferr error
	for turn := 0; turn < 3; turn++ {
		for i := 0; i < 20; i++ {
			t0 := time.Now()
			k, err := keyfile.DecryptKey(keyDER, []byte(password))
			if err != nil {
				return "", err
			}
			h := sha256.Sum256([]byte(fmt.Sprintf("||cadena|original|%d||", i)))
			if _, err := k.Sign(rand.Reader, h[:], crypto.SHA256); err != nil {
				return "", err
			}
			inproc = append(inproc, time.Since(t0))
		}
		if ferr == nil {
			var t []float64
			t, ferr = nodeForge(credDir + "/private_key.key")
			forge = append(forge, t...)
		}
	}
	mi := median(inproc)
	if ferr != nil {
		results = append(results, result{"Unlock SAT `.key` + SHA256withRSA sign, in process", ms(mi), "node-forge: " + ferr.Error(), "—", "≥ 20× faster", "not measured"})
	} else {
		slices.Sort(forge)
		forgeMs := forge[len(forge)/2]
		fr := forgeMs / (float64(mi) / 1e6)
		results = append(results, result{"Unlock SAT `.key` + SHA256withRSA sign, in process", ms(mi), fmt.Sprintf("%.2f ms (node-forge 1.4.3, Node %s)", forgeMs, nodeVersion()), fmt.Sprintf("%.1f× faster", fr), "≥ 20× faster", verdict(fr >= 20)})
	}

	// 2b. Whole cold round trip with authenticate.
	ch := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	auth := req("1", protocol.CmdAuthenticate, protocol.AuthenticateParams{Origin: "https://serviciosdigitales.imss.gob.mx", Challenge: ch, CertificateID: info.ID, Password: password})
	var authT []time.Duration
	for i := 0; i < runs/2; i++ {
		d, _, fr, err := roundTrip(bin, args, env, auth)
		if err != nil || len(fr) != 1 || bytes.Contains(fr[0], []byte(`"error"`)) {
			return "", fmt.Errorf("authenticate round trip: %v %s", err, fr)
		}
		authT = append(authT, d)
	}
	results = append(results, result{"Cold round trip with `authenticate` (spawn, unlock, sign, exit), median", ms(median(authT)), ms(mf) + " floor + " + ms(mi) + " unlock+sign", fmt.Sprintf("%.2f× floor", float64(median(authT))/float64(mf)), "—", "reported"})

	// 3. Batch of 1000 over the pipe vs in-process crypto/rsa, same key.
	docs := make([]protocol.Document, protocol.MaxBatchDocuments)
	raw := make([][]byte, len(docs))
	for i := range docs {
		raw[i] = []byte(fmt.Sprintf("||1.0|%06d|GOAM800101AB1|Solicitud|2026-11-27||", i))
		docs[i] = protocol.Document{Data: base64.StdEncoding.EncodeToString(raw[i])}
	}
	batch := req("1", protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: info.ID, Password: password, Documents: docs})
	var pipeT []time.Duration
	var peak int64
	maxFrame := 0
	for i := 0; i < 5; i++ {
		d, rss, fr, err := roundTrip(bin, args, env, batch)
		if err != nil || len(fr) != 1 || bytes.Contains(fr[0], []byte(`"error"`)) {
			return "", fmt.Errorf("batch: %v", err)
		}
		pipeT = append(pipeT, d)
		peak = max(peak, rss)
		maxFrame = max(maxFrame, len(fr[0]))
	}
	k, _ := keyfile.DecryptKey(keyDER, []byte(password))
	rk := k.(*rsa.PrivateKey)
	var inT []time.Duration
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		if _, err := keyfile.DecryptKey(keyDER, []byte(password)); err != nil {
			return "", err
		}
		for _, d := range raw {
			h := sha256.Sum256(d)
			if _, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, h[:]); err != nil {
				return "", err
			}
		}
		inT = append(inT, time.Since(t0))
	}
	br := float64(median(inT)) / float64(median(pipeT))
	results = append(results, result{"Batch `sign` of 1000 documents over the pipe (one unlock)", ms(median(pipeT)), ms(median(inT)) + " (in-process crypto/rsa, same key, one unlock)", fmt.Sprintf("%.2f×", br), "≥ 0.9×", verdict(br >= 0.9)})
	results = append(results, result{"Largest response frame in the batch", fmt.Sprintf("%d bytes", maxFrame), "1 048 576 bytes (Chrome)", fmt.Sprintf("%.0f%%", 100*float64(maxFrame)/float64(protocol.MaxResponseBytes)), "< 1 MiB", verdict(maxFrame < protocol.MaxResponseBytes)})
	results = append(results, result{"Host peak RSS during the batch", fmt.Sprintf("%.1f MB", float64(peak)/1024), "—", "—", "≤ 20 MB", verdict(float64(peak)/1024 <= 20)})

	var sb strings.Builder
	fmt.Fprintf(&sb, "Measured %s on %s/%s, %d CPUs, %s; %d cold starts per side, interleaved.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), runs)
	sb.WriteString("| measurement | ours | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", r.name, r.ours, r.baseline, r.ratio, r.target, r.verdict)
	}
	if st, err := os.Stat(bin); err == nil {
		fmt.Fprintf(&sb, "\nHost binary size: %.1f MB.\n", float64(st.Size())/1e6)
	}
	return sb.String(), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// nodeForge installs node-forge into host/bench/node if needed, runs
// forge-sign.js once (20 unlock+sign) and returns each time, in
// milliseconds.
func nodeForge(keyPath string) ([]float64, error) {
	dir := "host/bench/node"
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "node-forge")); err != nil {
		cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("npm install failed: %v %s", err, out)
		}
	}
	abs, _ := filepath.Abs(keyPath)
	out, err := exec.Command("node", filepath.Join(dir, "forge-sign.js"), abs, password, "20").Output()
	if err != nil {
		return nil, fmt.Errorf("node: %v", err)
	}
	var r struct{ Times []float64 }
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	if len(r.Times) == 0 {
		return nil, errors.New("node: no times")
	}
	return r.Times, nil
}

const begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"

func replaceSection(path, body string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, begin, end)
	}
	s = s[:i+len(begin)] + "\n" + body + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
