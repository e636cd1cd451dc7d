# A worker: any routines project; PROJECT names it (default: the sample). Build from the repository root:
#   docker build -f k8s/docker/worker.Dockerfile --build-arg PROJECT=samples/MLPipeline --build-arg DLL=MLPipeline.dll -t routines/worker .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT=samples/MLPipeline
WORKDIR /src
COPY . .
RUN dotnet publish ${PROJECT} -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
ARG DLL=MLPipeline.dll
ENV ROUTINES_DLL=${DLL}
WORKDIR /app
COPY --from=build /app .
EXPOSE 11111
ENTRYPOINT ["sh", "-c", "exec dotnet \"$ROUTINES_DLL\" worker"]
