# The Routines service silo. Build from the repository root:
#   docker build -f k8s/docker/service.Dockerfile -t routines/service .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
EXPOSE 11111 30000
ENTRYPOINT ["dotnet", "Routines.Silo.dll"]
