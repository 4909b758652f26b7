package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The deployment kit is checked here, beside the configuration, so that
// every variable it sets is known to be a configuration key.

// configEnvNames returns every environment variable Config reads.
func configEnvNames() map[string]bool {
	names := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		names[f.Tag.Get("env")] = true
	}
	return names
}

// checkEnvNames fails the test for each SURVEYWORKER_ variable, or
// DATABASE_URL, among names that Config does not read.
func checkEnvNames(t *testing.T, where string, names []string) {
	t.Helper()
	known := configEnvNames()
	for _, n := range names {
		if (strings.HasPrefix(n, "SURVEYWORKER_") || n == "DATABASE_URL") && !known[n] {
			t.Errorf("%s sets %s, which is no configuration key", where, n)
		}
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestDockerCompose(t *testing.T) {
	var c composeFile
	readYAML(t, "../../docker-compose.yml", &c)
	db, worker, mail := c.Services["db"], c.Services["worker"], c.Services["mailpit"]
	if db.Healthcheck == nil || !strings.Contains(strings.Join(db.Healthcheck.Test, " "), "pg_isready") {
		t.Error("db has no pg_isready health check")
	}
	if worker.Healthcheck == nil || !slices.Contains(worker.Healthcheck.Test, "health") {
		t.Errorf("worker health check %+v, want 'surveyworker health'", worker.Healthcheck)
	}
	if worker.DependsOn["db"].Condition != "service_healthy" {
		t.Error("worker does not wait for a healthy db")
	}
	if !strings.HasPrefix(mail.Image, "axllent/mailpit") || !slices.Contains(mail.Ports, "127.0.0.1:8025:8025") {
		t.Errorf("mailpit %+v, want its web UI on 127.0.0.1:8025", mail)
	}
	if worker.Environment["SURVEYWORKER_SMTP_HOST"] != "mailpit" {
		t.Error("worker does not send to mailpit")
	}
	for _, p := range append(worker.Ports, mail.Ports...) {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %s is published beyond the loopback interface", p)
		}
	}
	// The folders the worker writes are named volumes, which start out
	// owned by the image's user; a host folder would be root's.
	for _, dir := range []string{"/data/inbox", "/data/out", "/data/state"} {
		found := false
		for _, v := range worker.Volumes {
			src, dst, _ := strings.Cut(v, ":")
			if strings.TrimSuffix(dst, ":ro") != dir {
				continue
			}
			found = true
			if _, named := c.Volumes[src]; !named {
				t.Errorf("%s is mounted from %q, want a named volume", dir, src)
			}
		}
		if !found {
			t.Errorf("worker has no volume at %s", dir)
		}
	}
	var env []string
	for n := range worker.Environment {
		env = append(env, n)
	}
	checkEnvNames(t, "docker-compose.yml", env)
}

func TestDockerfileAndIgnore(t *testing.T) {
	df := readText(t, "../../Dockerfile")
	for _, want := range []string{
		`CMD ["/usr/local/bin/surveyworker", "health"`, // HEALTHCHECK without curl
		"-X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildTime=${BUILD_TIME}",
		"USER nonroot:nonroot",
		"--chown=nonroot:nonroot",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK `).MatchString(df) {
		t.Error("Dockerfile has no HEALTHCHECK")
	}
	var env []string
	for _, m := range regexp.MustCompile(`(SURVEYWORKER_[A-Z_]+)=`).FindAllStringSubmatch(df, -1) {
		env = append(env, m[1])
	}
	checkEnvNames(t, "Dockerfile", env)

	ignored := map[string]bool{}
	for _, line := range strings.Split(readText(t, "../../.dockerignore"), "\n") {
		ignored[strings.TrimSpace(line)] = true
	}
	for _, must := range []string{".git", "bin", "out", ".surveyworker", "**/hmac.key", "**/.env"} {
		if !ignored[must] {
			t.Errorf(".dockerignore does not leave out %s", must)
		}
	}
}

// TestSystemdUnit checks the unit with systemd-analyze verify where it is
// installed, and in any case that the keys a hardened, restartable service
// needs are there.
func TestSystemdUnit(t *testing.T) {
	path := "../../deploy/surveyworker.service"
	unit := parseUnit(t, path)
	svc := unit["Service"]
	want := map[string]string{
		"ProtectSystem":         "strict",
		"Restart":               "on-failure",
		"NoNewPrivileges":       "yes",
		"ProtectHome":           "yes",
		"PrivateTmp":            "yes",
		"StateDirectory":        "surveyworker",
		"EnvironmentFile":       "/etc/surveyworker/surveyworker.env",
		"CapabilityBoundingSet": "",
	}
	for k, v := range want {
		if got, ok := svc[k]; !ok || got[0] != v {
			t.Errorf("[Service] %s = %q, want %q", k, got, v)
		}
	}
	if len(svc["User"]) == 0 && len(svc["DynamicUser"]) == 0 {
		t.Error("the service runs as root: no User= or DynamicUser=")
	}
	if start := svc["ExecStart"]; len(start) != 1 || !strings.HasSuffix(start[0], "surveyworker serve") {
		t.Errorf("ExecStart %q, want surveyworker serve", start)
	}
	env := map[string]string{}
	var names []string
	for _, e := range svc["Environment"] {
		k, v, _ := strings.Cut(e, "=")
		env[k], names = v, append(names, k)
	}
	checkEnvNames(t, "surveyworker.service", names)
	rw := strings.Fields(strings.Join(svc["ReadWritePaths"], " "))
	for _, dir := range []string{env["SURVEYWORKER_INBOX"], env["SURVEYWORKER_OUT"]} {
		if !slices.Contains(rw, dir) {
			t.Errorf("ReadWritePaths %v lacks %q, which the service writes", rw, dir)
		}
	}
	if unit["Install"]["WantedBy"] == nil {
		t.Error("no [Install] WantedBy")
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: only the structure of the unit was checked")
		return
	}
	// verify wants ExecStart to exist: point it at this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(readText(t, path), "ExecStart=/usr/local/bin/surveyworker", "ExecStart="+self, 1)
	tmp := filepath.Join(t.TempDir(), "surveyworker.service")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", tmp).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// parseUnit reads a systemd unit file into its sections' keys, each with
// its values in order.
func parseUnit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(readText(t, path)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// k8sObject is the part of a Kubernetes object the test reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	StringData map[string]string `yaml:"stringData"`
	Data       map[string]string `yaml:"data"`
	Spec       struct {
		Replicas    int      `yaml:"replicas"`
		AccessModes []string `yaml:"accessModes"`
		Template    struct {
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers []k8sContainer `yaml:"containers"`
				Volumes    []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
					ConfigMap *struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

type k8sContainer struct {
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
}

func TestKubernetesManifests(t *testing.T) {
	var kust struct {
		Resources []string `yaml:"resources"`
	}
	readYAML(t, "../../deploy/k8s/kustomization.yaml", &kust)
	objs := map[string]k8sObject{} // by kind/name
	for _, r := range kust.Resources {
		dec := yaml.NewDecoder(strings.NewReader(readText(t, filepath.Join("../../deploy/k8s", r))))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			objs[o.Kind+"/"+o.Metadata.Name] = o
		}
	}
	d, ok := objs["Deployment/surveyworker"]
	if !ok {
		t.Fatalf("no Deployment/surveyworker among %v", kust.Resources)
	}
	if d.Spec.Replicas != 2 || !d.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Errorf("deployment: %d replicas, runAsNonRoot %v; want 2 and true", d.Spec.Replicas, d.Spec.Template.Spec.SecurityContext.RunAsNonRoot)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v, want http on 8080", c.Ports)
	}
	for name, p := range map[string]*k8sProbe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if p == nil || p.HTTPGet.Path != name || p.HTTPGet.Port != "http" {
			t.Errorf("probe for %s: %+v, want an httpGet on port http", name, p)
		}
	}
	var env []string
	for _, e := range c.Env {
		env = append(env, e.Name)
		if e.Name == "SURVEYWORKER_HTTP" && e.Value != ":8080" {
			t.Errorf("SURVEYWORKER_HTTP = %q, want :8080 to match the probes", e.Value)
		}
		if e.ValueFrom == nil {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if _, ok := objs["Secret/"+ref.Name].StringData[ref.Key]; !ok {
			t.Errorf("%s comes from secret %s key %s, which the manifests do not define", e.Name, ref.Name, ref.Key)
		}
	}
	for _, secret := range []string{"DATABASE_URL", "SURVEYWORKER_HMAC_KEY"} {
		if !slices.Contains(env, secret) {
			t.Errorf("the deployment does not set %s from the Secret", secret)
		}
	}
	for _, ef := range c.EnvFrom {
		cm, ok := objs["ConfigMap/"+ef.ConfigMapRef.Name]
		if !ok {
			t.Errorf("envFrom names ConfigMap %s, which is not defined", ef.ConfigMapRef.Name)
		}
		for k := range cm.Data {
			if strings.Contains(k, "_") {
				env = append(env, k)
			}
		}
	}
	checkEnvNames(t, "deploy/k8s", env)
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			pvc, ok := objs["PersistentVolumeClaim/"+v.PersistentVolumeClaim.ClaimName]
			if !ok || !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
				t.Errorf("volume %s: claim %s missing or not ReadWriteMany, which two replicas need", v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(readText(t, path)), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
