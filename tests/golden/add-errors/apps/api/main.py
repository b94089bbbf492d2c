import os
from app_platform import install as install_platform
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from routers import agent, auth, builder, crm, projects

app = FastAPI(title='Propmubi API', description='Backend for the Propmubi property platform', version='0.3.0')

# TODO: lock this down before launch
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])

app.include_router(auth.router)
app.include_router(projects.router)
app.include_router(builder.router)
app.include_router(agent.router)
app.include_router(crm.router)


@app.get('/')
def root():
    return {'message': 'Propmubi API is running', 'version': app.version}

install_platform(app)
