package handlers

import (
	"net/http"
	"os/exec"
	"regexp"
	"slices"
)

var allowedTools = []string{"uptime", "df"}
var hostPattern = regexp.MustCompile(`^[a-z0-9.-]+$`)

func Ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// ruleid: lockgate.go.command-injection.exec-command
	out, _ := exec.Command("sh", "-c", "ping -c 1 "+host).CombinedOutput()
	w.Write(out)
}

func Tool(w http.ResponseWriter, r *http.Request) {
	// ruleid: lockgate.go.command-injection.exec-command
	cmd := exec.CommandContext(r.Context(), r.FormValue("tool"), "--version")
	_ = cmd.Run()
}

func Grep(w http.ResponseWriter, r *http.Request) {
	pattern := r.Header.Get("X-Pattern")
	// ruleid: lockgate.go.command-injection.exec-command
	exec.Command("/bin/bash", "-c", "grep '"+pattern+"' /var/log/app.log").Run()
	// ok: lockgate.go.command-injection.exec-command
	exec.Command("grep", "--", pattern, "/var/log/app.log").Run()
	// ok: lockgate.go.command-injection.exec-command
	exec.Command("sh", "-c", "make clean").Run()
}

func ToolSafe(w http.ResponseWriter, r *http.Request) {
	tool := r.FormValue("tool")
	if !slices.Contains(allowedTools, tool) {
		http.Error(w, "unknown tool", http.StatusBadRequest)
		return
	}
	// ok: lockgate.go.command-injection.exec-command
	exec.Command(tool).Run()
}

func PingSafe(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if !hostPattern.MatchString(host) {
		http.Error(w, "bad host", http.StatusBadRequest)
		return
	}
	// ok: lockgate.go.command-injection.exec-command
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
}

var tools = map[string]string{"up": "uptime"}

func ToolMap(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("tool")
	if _, ok := tools[name]; !ok {
		http.NotFound(w, r)
		return
	}
	// ok: lockgate.go.command-injection.exec-command
	exec.Command(name).Run()
}
