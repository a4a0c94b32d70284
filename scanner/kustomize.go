package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	yamlv3 "gopkg.in/yaml.v3"
)

// originAnnotation is where kustomize records the file a resource came from
// when the kustomization asks for buildMetadata: [originAnnotations].
const originAnnotation = "config.kubernetes.io/origin"

// LoadKustomization builds the kustomization in dir in process, as
// `kustomize build dir` would, and returns its objects. Each object's
// source is the document of the resource file that defines it (a base's
// file and line); objects that no file defines as such (generators, or a
// name no document carries) point at the kustomization file that produced
// them. A kustomization that does not build is a LoadError for its file.
func LoadKustomization(ctx context.Context, dir string, opts LoadOptions) (*Manifests, error) {
	m := &Manifests{}
	if recognizedKustomization(filepath.Base(dir)) {
		if info, err := os.Stat(dir); err == nil && !info.IsDir() {
			dir = filepath.Dir(dir)
		}
	}
	kfile := kustomizationFile(dir)
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() || kfile == "" {
		msg := "not a directory with a kustomization.yaml"
		if err != nil {
			msg = "read: " + unwrapPathError(err)
		}
		m.Errors = append(m.Errors, LoadError{File: dir, Message: msg})
		return m, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	fsys := originFS{FileSystem: filesys.MakeFsOnDisk(), root: abs}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(fsys, abs)
	if err != nil {
		m.Errors = append(m.Errors, LoadError{File: kfile, Message: "kustomize build: " + strings.ReplaceAll(err.Error(), abs+string(filepath.Separator), "")})
		return m, nil
	}
	m.Files = 1
	cache := &sourceCache{files: map[string]*Manifests{}, generators: map[string][]generator{}}
	for i, r := range rm.Resources() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		origin, err := r.GetOrigin()
		if err != nil {
			return nil, fmt.Errorf("kustomize %s: origin of %s: %w", dir, r.CurId(), err)
		}
		value, err := r.Map()
		if err != nil {
			return nil, fmt.Errorf("kustomize %s: %s: %w", dir, r.CurId(), err)
		}
		dropOrigin(value)
		m.Documents++
		src := kustomizeSource(ctx, dir, kfile, origin, r, cache, opts)
		if src.Doc < 0 {
			src.Doc = i
		}
		m.Objects = append(m.Objects, RawObject{Value: value, Source: src})
	}
	return m, nil
}

// kustomizeSource finds the document that defines r: in the resource file
// its origin names, the document of the same kind whose name the built
// name contains (a namePrefix or nameSuffix may have been added), else the
// top kustomization file.
// sourceCache holds each file the origins name, read once per kustomization:
// resource files as loaded manifests, kustomization files as their
// generator entries.
type sourceCache struct {
	files      map[string]*Manifests
	generators map[string][]generator
}

func kustomizeSource(ctx context.Context, dir, kfile string, origin *resource.Origin, r *resource.Resource, cache *sourceCache, opts LoadOptions) *Source {
	fallback := &Source{File: kfile, Doc: -1, Line: 1, Column: 1}
	if origin == nil || origin.Repo != "" {
		return fallback
	}
	if origin.Path == "" {
		if origin.ConfiguredIn != "" {
			fallback.File = filepath.Join(dir, origin.ConfiguredIn)
			gens, ok := cache.generators[fallback.File]
			if !ok {
				gens = generators(fallback.File)
				cache.generators[fallback.File] = gens
			}
			fallback.Line, fallback.Column = generatorLine(gens, r.GetName())
		}
		return fallback
	}
	file := filepath.Join(dir, origin.Path)
	fm, ok := cache.files[file]
	if !ok {
		var err error
		fm, err = LoadManifests(ctx, []string{file}, opts)
		if err != nil {
			fm = &Manifests{}
		}
		cache.files[file] = fm
	}
	kind, name := r.GetKind(), r.GetName()
	var best *Source
	bestLen := -1
	for _, o := range fm.Objects {
		k, _ := o.Value["kind"].(string)
		md, _ := o.Value["metadata"].(map[string]any)
		n, _ := md["name"].(string)
		if k != kind || !strings.Contains(name, n) || len(n) <= bestLen {
			continue
		}
		best, bestLen = o.Source, len(n)
	}
	if best == nil {
		return fallback // renamed past recognition: the kustomization
	}
	return best
}

// generator is a configMapGenerator or secretGenerator entry: its name and
// where it starts.
type generator struct {
	name      string
	line, col int
}

// generators reads the generator entries of a kustomization file.
func generators(file string) []generator {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc yamlv3.Node
	if yamlv3.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yamlv3.MappingNode {
		return nil
	}
	root := doc.Content[0]
	var out []generator
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i].Value; k != "configMapGenerator" && k != "secretGenerator" {
			continue
		}
		for _, item := range root.Content[i+1].Content {
			if item.Kind != yamlv3.MappingNode {
				continue
			}
			for j := 0; j+1 < len(item.Content); j += 2 {
				if item.Content[j].Value == "name" {
					out = append(out, generator{item.Content[j+1].Value, item.Line, item.Column})
				}
			}
		}
	}
	return out
}

// generatorLine is where the entry whose name the built name contains
// (the longest such) starts; line 1 when there is none.
func generatorLine(gens []generator, name string) (line, col int) {
	line, col = 1, 1
	best := -1
	for _, g := range gens {
		if strings.Contains(name, g.name) && len(g.name) > best {
			best, line, col = len(g.name), g.line, g.col
		}
	}
	return line, col
}

func dropOrigin(obj map[string]any) {
	md, _ := obj["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	if ann == nil {
		return
	}
	delete(ann, originAnnotation)
	if len(ann) == 0 {
		delete(md, "annotations")
	}
}

func kustomizationFile(dir string) string {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// originFS is the disk with one change: the top kustomization asks for
// origin annotations, so every built resource names the file it came from.
type originFS struct {
	filesys.FileSystem
	root string
}

func (f originFS) ReadFile(path string) ([]byte, error) {
	b, err := f.FileSystem.ReadFile(path)
	if err != nil || filepath.Dir(path) != f.root || !recognizedKustomization(filepath.Base(path)) {
		return b, err
	}
	var k map[string]any
	if yaml.Unmarshal(b, &k) != nil || k == nil {
		return b, nil // kustomize reports the error itself
	}
	meta, _ := k["buildMetadata"].([]any)
	for _, v := range meta {
		if v == types.OriginAnnotations {
			return b, nil
		}
	}
	k["buildMetadata"] = append(meta, types.OriginAnnotations)
	return yaml.Marshal(k)
}

func recognizedKustomization(name string) bool {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if n == name {
			return true
		}
	}
	return false
}
