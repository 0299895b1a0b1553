import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Offline checks of Kubernetes manifests against the API schema that `kubernetes-models` was generated from
 * (Kubernetes 1.27's OpenAPI): its validators check types, enums and required fields; they accept any unknown
 * field, so `unknownFields` walks each object against the models' TypeScript interfaces, generated from the same
 * schema, and names every key the API does not define (a typo such as `readinesProbe`, a field in the wrong place).
 */

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** `kubernetes-models/<group>/<version>` for an apiVersion ("v1" is the core group). */
function modelModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

type ModelClass = new (data: unknown) => { validate(): void };

const load = createRequire(__filename);

/** The model class for a manifest's kind, or undefined when kubernetes-models has none. */
function modelOf(m: Manifest): ModelClass | undefined {
  try {
    return (load(modelModule(m.apiVersion)) as Record<string, ModelClass>)[m.kind];
  } catch {
    return undefined;
  }
}

/** Type errors of one manifest (empty when valid); an unknown apiVersion/kind is an error too. */
export function schemaErrors(m: Manifest): string[] {
  const Model = modelOf(m);
  if (!Model) return [`${m.apiVersion} ${m.kind} is not a Kubernetes API type known to kubernetes-models`];
  try {
    new Model(m).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** Resolves the models' TypeScript interfaces; one program for all manifests checked (it takes a second to build). */
export class FieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly roots = new Map<string, ts.Type>();

  /** `root`: a folder whose node_modules holds kubernetes-models (the repository). */
  constructor(root: string, kinds: { apiVersion: string; kind: string }[]) {
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()];
    const file = join(root, '__k8s_kinds__.ts');
    const source =
      unique.map((k, i) => `import type { I${k.kind} as T${i} } from '${modelModule(k.apiVersion)}/${k.kind}';`).join('\n') +
      `\nexport interface Roots {\n${unique.map((_, i) => `  T${i}: T${i};`).join('\n')}\n}\n`;
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    host.readFile = (f) => (f === file ? source : read(f));
    host.fileExists = (f) => f === file || exists(f);
    host.getSourceFile = ((orig) => (f, lang, onError, create) =>
      f === file ? ts.createSourceFile(f, source, lang, true) : orig(f, lang, onError, create))(host.getSourceFile.bind(host));
    const program = ts.createProgram([file], options, host);
    // Only the generated file's own diagnostics: type-checking every declaration file of the models takes seconds.
    const problems = program.getSemanticDiagnostics(program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    if (problems.length) throw new Error(`kubernetes-models types did not resolve: ${problems.join('; ')}`);
    this.checker = program.getTypeChecker();
    const roots = program.getSourceFile(file)!.statements.find(ts.isInterfaceDeclaration)!;
    const rootType = this.checker.getTypeAtLocation(roots);
    unique.forEach((k, i) => this.roots.set(`${k.apiVersion}/${k.kind}`, this.typeOfProperty(rootType, `T${i}`)!));
  }

  /** Paths of the fields in `m` that its kind's schema does not define. */
  unknownFields(m: Manifest): string[] {
    const root = this.roots.get(`${m.apiVersion}/${m.kind}`);
    if (!root) throw new Error(`FieldChecker was not built for ${m.apiVersion} ${m.kind}`);
    const out: string[] = [];
    this.walk(m, root, m.kind, out);
    return out;
  }

  private typeOfProperty(type: ts.Type, key: string): ts.Type | undefined {
    const prop = this.checker.getPropertyOfType(type, key);
    return prop ? this.checker.getTypeOfSymbol(prop) : undefined;
  }

  private walk(value: unknown, declared: ts.Type, path: string, out: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    const members = type.isUnion() ? type.types : [type];
    if (Array.isArray(value)) {
      const arrays = members.filter((t) => this.checker.isArrayType(t));
      if (!arrays.length) return void out.push(`${path}: a list where the schema has ${this.checker.typeToString(type)}`);
      const element = this.checker.getTypeArguments(arrays[0] as ts.TypeReference)[0];
      value.forEach((v, i) => this.walk(v, element, `${path}[${i}]`, out));
      return;
    }
    const objects = members.filter((t) => t.flags & ts.TypeFlags.Object && !this.checker.isArrayType(t));
    if (!objects.length) return void out.push(`${path}: an object where the schema has ${this.checker.typeToString(type)}`);
    for (const [key, v] of Object.entries(value)) {
      let field: ts.Type | undefined;
      for (const o of objects) {
        field = this.typeOfProperty(o, key) ?? this.checker.getIndexTypeOfType(o, ts.IndexKind.String);
        if (field) break;
      }
      if (field) this.walk(v, field, `${path}.${key}`, out);
      else out.push(`${path}.${key}`);
    }
  }
}
