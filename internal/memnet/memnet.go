// Package memnet serves an http.Handler over in-memory connections, for tests that own the
// clock with testing/synctest: a goroutine waiting on a net.Pipe is durably blocked inside a
// bubble, one waiting on a loopback socket is not, so the bubble's fake time could not advance.
package memnet

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
)

// URL is the base URL the returned transports dial; any host reaches the same handler.
const URL = "http://memnet.test"

// Serve serves h until the test ends and returns a transport whose every connection reaches
// it. Called inside a synctest bubble, all of its goroutines belong to the bubble and have
// ended when the test's cleanups have run.
func Serve(t testing.TB, h http.Handler) *http.Transport {
	l := &listener{conns: make(chan net.Conn), done: make(chan struct{})}
	srv := &http.Server{Handler: h}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
	tr := &http.Transport{DialContext: l.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
		<-served
	})
	return tr
}

// listener hands the server end of each dialled pipe to http.Server.
type listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *listener) Addr() net.Addr { return addr{} }

func (l *listener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
	case <-ctx.Done():
	}
	_ = server.Close()
	_ = client.Close()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, net.ErrClosed
}

type addr struct{}

func (addr) Network() string { return "memnet" }
func (addr) String() string  { return "memnet.test:80" }
