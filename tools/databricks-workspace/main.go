// A Databricks workspace on loopback, for the tests and the local emulator: the Databricks CLI's own
// test server (github.com/databricks/cli/libs/testserver, the fake its acceptance tests deploy
// bundles to), reached the way the real CLI reaches Azure Databricks: over HTTPS, through an HTTP
// CONNECT proxy that accepts any *.azuredatabricks.net host and terminates TLS with a certificate
// signed by a CA made at start. So `databricks bundle plan|deploy -t <target>` runs unchanged on a
// bundle whose targets name real workspace hosts, with only these variables set:
//
//	HTTPS_PROXY=<proxy>  SSL_CERT_FILE=<ca>  DATABRICKS_TOKEN=<any>
//
// Built by scripts/provision-databricks-cli.sh inside the CLI's own module (same go.mod and go.sum,
// same build cache). Prints one JSON line: {"url", "proxy", "ca"}. Stops on SIGINT/SIGTERM, and
// when its stdin closes (--exit-with-stdin), so a parent that dies does not leave it running.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/databricks/cli/libs/testserver"
)

// testingT is what the test server needs of a *testing.T: its complaints go to stderr.
type testingT struct {
	mu       sync.Mutex
	cleanups []func()
}

func (t *testingT) Log(args ...any)            { fmt.Fprintln(os.Stderr, args...) }
func (t *testingT) Logf(f string, args ...any) { fmt.Fprintf(os.Stderr, f+"\n", args...) }
func (t *testingT) Error(args ...any)          { fmt.Fprintln(os.Stderr, append([]any{"error:"}, args...)...) }
func (t *testingT) Errorf(f string, args ...any) {
	fmt.Fprintf(os.Stderr, "error: "+f+"\n", args...)
}
func (t *testingT) Fatal(args ...any)            { t.Error(args...); t.exit(1) }
func (t *testingT) Fatalf(f string, args ...any) { t.Errorf(f, args...); t.exit(1) }
func (t *testingT) Skip(args ...any)             {}
func (t *testingT) Skipf(f string, args ...any)  {}
func (t *testingT) FailNow()                     { t.exit(1) }
func (t *testingT) Helper()                      {}
func (t *testingT) Context() context.Context     { return context.Background() }
func (t *testingT) Setenv(k, v string)           { _ = os.Setenv(k, v) }
func (t *testingT) TempDir() string {
	dir, err := os.MkdirTemp("", "lakehouse-databricks-workspace-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
func (t *testingT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}
func (t *testingT) exit(code int) {
	t.mu.Lock()
	cleanups := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// certificates signs a leaf per server name, on demand, with a CA made at start.
type certificates struct {
	ca    *x509.Certificate
	key   *ecdsa.PrivateKey
	mu    sync.Mutex
	cache map[string]*tls.Certificate
}

func newCertificates() (*certificates, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "Lakehouse Workbench local Databricks workspace CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &certificates{ca: ca, key: key, cache: map[string]*tls.Certificate{}}, nil
}

func (c *certificates) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.ca.Raw})
}

func (c *certificates) forHello(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" {
		name = "127.0.0.1"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cert, ok := c.cache[name]; ok {
		return cert, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		template.IPAddresses = []net.IP{ip}
	} else {
		template.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, c.ca, &key.PublicKey, c.key)
	if err != nil {
		return nil, err
	}
	cert := &tls.Certificate{Certificate: [][]byte{der, c.ca.Raw}, PrivateKey: key}
	c.cache[name] = cert
	return cert, nil
}

// workspaceHost says which hosts the proxy sends to the fake workspace: Azure Databricks ones.
func workspaceHost(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	host = strings.ToLower(host)
	return strings.HasSuffix(host, ".azuredatabricks.net") || strings.HasSuffix(host, ".databricks.azure.cn") ||
		strings.HasSuffix(host, ".databricks.azure.us")
}

func main() {
	caOut := flag.String("ca-out", "", "file to write the CA certificate to (PEM); required")
	exitWithStdin := flag.Bool("exit-with-stdin", false, "exit when stdin closes")
	flag.Parse()
	if *caOut == "" {
		fmt.Fprintln(os.Stderr, "lakehouse-databricks-workspace: --ca-out FILE is required")
		os.Exit(2)
	}

	t := &testingT{}
	server := testserver.New(t)
	testserver.AddDefaultHandlers(server)

	certs, err := newCertificates()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakehouse-databricks-workspace: making the CA:", err)
		t.exit(1)
	}
	if err := os.WriteFile(*caOut, certs.pem(), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "lakehouse-databricks-workspace: writing the CA:", err)
		t.exit(1)
	}

	// The workspace over TLS, on loopback; the proxy tunnels into it.
	tlsListener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: certs.forHello, MinVersion: tls.VersionTLS12})
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakehouse-databricks-workspace: listening (TLS):", err)
		t.exit(1)
	}
	go func() {
		_ = (&http.Server{Handler: server.Config.Handler, ReadHeaderTimeout: 30 * time.Second}).Serve(tlsListener)
	}()

	proxy := &http.Server{
		ReadHeaderTimeout: 30 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodConnect {
				http.Error(w, "this is a CONNECT proxy to a local Databricks workspace", http.StatusMethodNotAllowed)
				return
			}
			if !workspaceHost(r.Host) {
				http.Error(w, "only Azure Databricks workspace hosts are served here, not "+r.Host, http.StatusForbidden)
				return
			}
			upstream, err := net.Dial("tcp", tlsListener.Addr().String())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			hijacker, ok := w.(http.Hijacker)
			if !ok {
				upstream.Close()
				http.Error(w, "cannot tunnel", http.StatusInternalServerError)
				return
			}
			client, buffered, err := hijacker.Hijack()
			if err != nil {
				upstream.Close()
				return
			}
			_, _ = client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
			go func() {
				if buffered.Reader.Buffered() > 0 {
					_, _ = io.CopyN(upstream, buffered, int64(buffered.Reader.Buffered()))
				}
				_, _ = io.Copy(upstream, client)
				upstream.Close()
			}()
			go func() {
				_, _ = io.Copy(client, upstream)
				client.Close()
			}()
		}),
	}
	proxyListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakehouse-databricks-workspace: listening (proxy):", err)
		t.exit(1)
	}
	go func() { _ = proxy.Serve(proxyListener) }()

	ready, _ := json.Marshal(map[string]string{
		"url":   server.URL,
		"proxy": "http://" + proxyListener.Addr().String(),
		"ca":    *caOut,
	})
	fmt.Println(string(ready))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	if *exitWithStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- syscall.SIGTERM
		}()
	}
	<-stop
	t.exit(0)
}
