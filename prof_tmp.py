import sys, cProfile, pstats, warnings, json
warnings.simplefilter("ignore")
from benchmarks.scaling import overrides, BASE
from simulator.loading import load_scenario
from simulator.model import OrgModel
tasks=int(sys.argv[1])
sc=load_scenario(BASE, overrides(tasks))
m=OrgModel(sc,'cooperative',rng=1,collect_kpis=False)
pr=cProfile.Profile(); pr.enable(); m.run_to_end(); pr.disable()
st=pstats.Stats(pr).stats
out={}
for (f,l,n),(cc,nc,tt,ct,callers) in st.items():
    if '/work/main/' in f and '.venv' not in f or 'mesa' in f:
        out[f"{f.split('/')[-1]}:{n}"]=(nc,tt,ct)
json.dump(out,open(f'/tmp/prof{tasks}.json','w'))
