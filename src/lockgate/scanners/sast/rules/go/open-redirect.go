package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

var allowedTargets = []string{"/", "/account", "https://docs.example.com/"}

func LoginDone(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	// ruleid: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func Back(w http.ResponseWriter, r *http.Request) {
	// ruleid: lockgate.go.open-redirect.tainted-redirect
	w.Header().Set("Location", r.Referer())
	w.WriteHeader(http.StatusSeeOther)
}

func SSO(w http.ResponseWriter, r *http.Request) {
	// ruleid: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, "https://"+r.FormValue("tenant")+"/login", http.StatusFound)
	// ruleid: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, "/"+r.FormValue("path"), http.StatusFound)
}

func Order(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	// ok: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, "/orders/"+id, http.StatusFound)
	// ok: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, fmt.Sprintf("/orders/%s/edit", id), http.StatusFound)
	// ok: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, url.PathEscape(id), http.StatusFound)
}

func LoginDoneValidated(w http.ResponseWriter, r *http.Request) {
	next := r.FormValue("next")
	if !isSafeRedirect(next) {
		next = "/"
	}
	// ok: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func LoginDoneSafe(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !slices.Contains(allowedTargets, next) {
		next = "/"
	}
	// ok: lockgate.go.open-redirect.tainted-redirect
	http.Redirect(w, r, next, http.StatusFound)
}
