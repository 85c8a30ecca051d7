"""Evaluates ADF expressions with Microsoft's evaluator, for differential.test.ts.

data-factory-testing-framework (PyPI) ships the Logic Apps expression engine as .NET assemblies
and calls it through pythonnet. It loads CoreCLR; where no .NET runtime is installed, Mono (Debian's
mono-devel) runs it too: this script loads Mono first when LAKEHOUSE_DFTF_RUNTIME=mono or when
CoreCLR cannot be loaded.

Reads a JSON list of expressions on stdin; writes one JSON object per line:
{"ok": true, "result": "<the engine's JSON of the value>"} or {"ok": false, "error": "<first line>"}.
The first line written is {"ready": true} once the engine is loaded, or {"ready": false, "error": …}.
"""
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")


def load_runtime():
    import pythonnet

    wanted = os.environ.get("LAKEHOUSE_DFTF_RUNTIME")
    order = [wanted] if wanted else ["coreclr", "mono"]
    errors = []
    for runtime in order:
        try:
            pythonnet.load(runtime)
            return runtime
        except Exception as e:  # noqa: BLE001 - any failure means: try the next runtime
            errors.append(f"{runtime}: {str(e).splitlines()[0]}")
    raise RuntimeError("; ".join(errors))


def main():
    try:
        runtime = load_runtime()
        import data_factory_testing_framework._pythonnet  # noqa: F401 - loads the assemblies
        from Microsoft.Azure.DataFactoryTestingFramework.Expressions import Evaluator  # type: ignore

        evaluator = Evaluator()
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"ready": False, "error": str(e).splitlines()[0] if str(e) else type(e).__name__}), flush=True)
        return
    print(json.dumps({"ready": True, "runtime": runtime}), flush=True)
    parameters = json.dumps({"globalParameters": {}, "parameters": {}, "libraryVariables": {}, "dataset": {}, "linkedService": {}})
    for expression in json.load(sys.stdin):
        try:
            result = evaluator.EvaluateExpression(expression, parameters, "{}", None, "{}")
            prefix = '{"result":'
            out = {"ok": True, "result": result[len(prefix):-1] if result.startswith(prefix) else result}
        except Exception as e:  # noqa: BLE001
            lines = str(e).strip().splitlines()
            out = {"ok": False, "error": lines[0] if lines else type(e).__name__}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
