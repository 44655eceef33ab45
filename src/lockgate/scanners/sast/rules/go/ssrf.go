package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
)

var allowedHosts = map[string]bool{"api.example.com": true}

func Preview(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	// ruleid: lockgate.go.ssrf.tainted-outbound-url
	resp, err := http.Get(target)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
}

func Webhook(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{}
	// ruleid: lockgate.go.ssrf.tainted-outbound-url
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, r.FormValue("callback"), nil)
	client.Do(req)
	// ruleid: lockgate.go.ssrf.tainted-outbound-url
	client.Get("http://" + r.FormValue("host") + "/health")
}

func Item(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// ok: lockgate.go.ssrf.tainted-outbound-url
	http.Get("https://api.example.com/items/" + url.PathEscape(id))
	// ok: lockgate.go.ssrf.tainted-outbound-url
	http.Get(fmt.Sprintf("https://api.example.com/search?q=%s", url.QueryEscape(r.FormValue("q"))))
}

func Proxy(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.URL.Query().Get("url"))
	if err != nil {
		return
	}
	if _, ok := allowedHosts[u.Hostname()]; !ok {
		http.Error(w, "host not allowed", http.StatusBadRequest)
		return
	}
	// ok: lockgate.go.ssrf.tainted-outbound-url
	http.Get(u.String())
}
