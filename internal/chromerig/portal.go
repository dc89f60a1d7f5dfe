package chromerig

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// Portal is a running demo portal (bin/demo-portal).
type Portal struct {
	// URL is http://ADDR, the portal's origin.
	URL string

	cmd  *exec.Cmd
	logs lockedBuffer
	done chan struct{}
}

// StartPortal starts the demo portal binary on addr (host:port) trusting the
// CA certificates in caDir, and waits until it serves /efirma.js.
func StartPortal(bin, caDir, addr string) (*Portal, error) {
	p := &Portal{URL: "http://" + addr, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-addr", addr, "-ca-dir", caDir)
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start demo portal: %w", err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	exited := false
	ok := WaitFor(context.Background(), 10*time.Second, 50*time.Millisecond, func() bool {
		select {
		case <-p.done:
			exited = true
			return true
		default:
		}
		resp, err := client.Get(p.URL + "/efirma.js")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if exited || !ok {
		p.Stop()
		return nil, fmt.Errorf("demo portal did not start on %s:\n%s", addr, p.Logs())
	}
	return p, nil
}

// Stop ends the portal and waits for it.
func (p *Portal) Stop() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Done is closed when the portal process has exited.
func (p *Portal) Done() <-chan struct{} { return p.done }

// Logs is what the portal printed so far.
func (p *Portal) Logs() string { return p.logs.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
