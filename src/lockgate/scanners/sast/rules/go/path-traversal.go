package handlers

import (
	"io/ioutil"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

const root = "/srv/app/files"

func Download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	// ruleid: lockgate.go.path-traversal.tainted-file-path
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func Serve(w http.ResponseWriter, r *http.Request) {
	// ruleid: lockgate.go.path-traversal.tainted-file-path
	http.ServeFile(w, r, root+"/"+r.FormValue("path"))
}

func Upload(w http.ResponseWriter, r *http.Request) {
	_, header, err := r.FormFile("upload")
	if err != nil {
		return
	}
	// ruleid: lockgate.go.path-traversal.tainted-file-path
	f, _ := os.Create(filepath.Join(root, header.Filename))
	defer f.Close()
	// ruleid: lockgate.go.path-traversal.tainted-file-path
	ioutil.WriteFile(filepath.Join(root, r.PathValue("name")), []byte("x"), 0o600)
}

func DownloadBase(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("file"))
	// ok: lockgate.go.path-traversal.tainted-file-path
	data, _ := os.ReadFile(filepath.Join(root, name))
	w.Write(data)
}

func DownloadChecked(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(root, r.URL.Query().Get("file"))
	if !strings.HasPrefix(p, root+string(os.PathSeparator)) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// ok: lockgate.go.path-traversal.tainted-file-path
	http.ServeFile(w, r, p)
}

func DownloadRooted(w http.ResponseWriter, r *http.Request) {
	clean := path.Clean("/" + r.URL.Path)
	// ok: lockgate.go.path-traversal.tainted-file-path
	f, _ := os.Open(filepath.Join(root, filepath.FromSlash(clean)))
	defer f.Close()
	// ok: lockgate.go.path-traversal.tainted-file-path
	os.ReadFile(filepath.Join(root, "index.html"))
}
