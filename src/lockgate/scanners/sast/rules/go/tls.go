package client

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

func InsecureClient() *http.Client {
	tr := &http.Transport{
		// ruleid: lockgate.go.tls.insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	return &http.Client{Transport: tr}
}

func InsecureLater(cfg *tls.Config) {
	// ruleid: lockgate.go.tls.insecure-skip-verify
	cfg.InsecureSkipVerify = true
}

func PrivateCA(caPEM []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	// ok: lockgate.go.tls.insecure-skip-verify
	cfg := &tls.Config{RootCAs: pool, InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

func Legacy() *tls.Config {
	// ruleid: lockgate.go.tls.legacy-min-version
	return &tls.Config{MinVersion: tls.VersionTLS10}
}

func Modern(cfg *tls.Config) {
	// ok: lockgate.go.tls.legacy-min-version
	cfg.MinVersion = tls.VersionTLS13
	// ruleid: lockgate.go.tls.legacy-min-version
	cfg.MinVersion = tls.VersionTLS11
}
