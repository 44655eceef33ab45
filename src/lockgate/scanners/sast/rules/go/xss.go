package handlers

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
)

var page = template.Must(template.New("p").Parse(`<p>{{.}}</p>`))

func Hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: lockgate.go.xss.response-writer
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
}

func Echo(w http.ResponseWriter, r *http.Request) {
	// ruleid: lockgate.go.xss.response-writer
	w.Write([]byte("<p>" + r.FormValue("msg") + "</p>"))
	// ruleid: lockgate.go.xss.response-writer
	io.WriteString(w, r.Header.Get("Referer"))
}

func HelloSafe(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ok: lockgate.go.xss.response-writer
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ok: lockgate.go.xss.response-writer
	fmt.Fprintln(w, "<footer>static</footer>")
	// ok: lockgate.go.xss.response-writer
	page.Execute(w, name)
}

func EchoPlain(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// ok: lockgate.go.xss.response-writer
	fmt.Fprintf(w, "Hello %s", r.FormValue("name"))
}

func EchoJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	// ok: lockgate.go.xss.response-writer
	json.NewEncoder(w).Encode(map[string]string{"name": r.FormValue("name")})
}

func Bio(w http.ResponseWriter, r *http.Request) {
	bio := r.PostFormValue("bio")
	// ruleid: lockgate.go.xss.template-trusted-type
	page.Execute(w, template.HTML(bio))
	// ok: lockgate.go.xss.template-trusted-type
	page.Execute(w, template.HTML(html.EscapeString(bio)))
	// ok: lockgate.go.xss.template-trusted-type
	page.Execute(w, template.HTML("<b>fixed</b>"))
}

func Report(w http.ResponseWriter, r *http.Request) {
	// ok: lockgate.go.xss.response-writer
	data, _ := os.ReadFile(filepath.Join("/srv/reports", filepath.Base(r.FormValue("name"))))
	// ok: lockgate.go.xss.response-writer
	w.Write(data)
	cmd := exec.Command("git", "log", "--oneline", "--", r.FormValue("path"))
	out, _ := cmd.Output()
	// ok: lockgate.go.xss.response-writer
	w.Write(out)
}
